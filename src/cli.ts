#!/usr/bin/env node
// `parley`: the administration the original left to its admin site. It works on the configured
// store (PARLEY_DATA_DIR / PARLEY_DATABASE_URL) directly; a running server sees new accounts,
// rooms and members at once, and changed roles after a restart (accounts are cached).
import { parseArgs } from 'node:util';
import { LocalBus } from './bus/local-bus.js';
import { ConfigError, loadConfig } from './config.js';
import { Core } from './core/core.js';
import { LocalPresence } from './core/presence.js';
import { DomainError, ValidationError } from './core/errors.js';
import type { CoreEvent } from './core/events.js';
import { now } from './core/time.js';
import { openStore } from './store/open.js';
import type { AccountRecord } from './store/records.js';
import type { Store } from './store/store.js';

export const ACCOUNT_ROLES = ['admin', 'member', 'student'] as const;

const USAGE = `usage:
  parley user add --email <email> --password <password> --first-name <name> [--last-name <name>] [--role admin|member|student] [--year <n>]
  parley user list
  parley user set-role <email or id> <admin|member|student>
  parley room add --name <name> --creator <email or id> [--description <text>] [--members <email or id>,…]
  parley room add-member <room id> <email or id>…

Configuration comes from the same PARLEY_* environment as the server.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<void> {
  const [noun, verb, ...rest] = argv;
  if (!noun || !verb || noun === 'help' || noun === '--help') throw new UsageError(USAGE);
  const config = loadConfig();
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const bus = new LocalBus<CoreEvent>({ onHandlerError: () => undefined });
  const core = new Core(store, bus, new LocalPresence(), {
    matchRoomHours: config.matchRoomHours,
    dataDir: config.dataDir,
    uploadLimits: { maxBytes: config.uploadMaxBytes, types: config.uploadTypes },
    pushWebhookUrl: undefined,
    onBackgroundError: () => undefined,
  });
  try {
    await run(core, store, `${noun} ${verb}`, rest);
  } finally {
    await bus.close();
    await store.close();
  }
}

async function run(core: Core, store: Store, command: string, args: string[]): Promise<void> {
  switch (command) {
    case 'user add': {
      const { values } = parseArgs({
        args,
        options: {
          email: { type: 'string' },
          password: { type: 'string' },
          'first-name': { type: 'string' },
          'last-name': { type: 'string' },
          role: { type: 'string', default: 'member' },
          year: { type: 'string' },
        },
      });
      const role = requireRole(values.role ?? 'member');
      const year = values.year === undefined ? null : Number(values.year);
      if (year !== null && (!Number.isInteger(year) || year < 1 || year > 10)) throw new UsageError('--year must be a whole number from 1 to 10');
      const account = await core.accounts.createByAdmin({
        email: values.email ?? '',
        password: values.password ?? '',
        firstName: values['first-name'] ?? '',
        lastName: values['last-name'] ?? '',
        role,
        year,
      });
      print(`created user ${account.id} ${account.email} (${account.role})`);
      return;
    }
    case 'user list': {
      for (const account of await store.rooms.listAccounts()) {
        print([account.id, account.email, `${account.firstName} ${account.lastName}`.trim(), account.role, account.year ?? '-'].join('\t'));
      }
      return;
    }
    case 'user set-role': {
      const [who, role] = args;
      if (!who || !role || args.length !== 2) throw new UsageError(USAGE);
      const account = await findAccount(store, who);
      await store.rooms.setAccountRole(account.id, requireRole(role));
      print(`user ${account.id} ${account.email} is now ${role}`);
      return;
    }
    case 'room add': {
      const { values } = parseArgs({
        args,
        options: { name: { type: 'string' }, creator: { type: 'string' }, description: { type: 'string' }, members: { type: 'string' } },
      });
      if (!values.creator) throw new UsageError('--creator is required');
      const creator = await findAccount(store, values.creator);
      const members = await Promise.all(
        (values.members ?? '').split(',').map((m) => m.trim()).filter(Boolean).map((m) => findAccount(store, m)),
      );
      const room = await core.rooms.createRoom(creator, {
        name: values.name ?? '',
        description: values.description ?? null,
        avatar: null,
        active: true,
        memberIds: [],
      });
      await addMembers(store, room.id, members);
      print(`created room ${room.id} ${room.name ?? ''} with ${(await core.rooms.room(room.id)).membersCount} member(s)`);
      return;
    }
    case 'room add-member': {
      const [rawId, ...who] = args;
      if (!rawId || !/^\d+$/.test(rawId) || who.length === 0) throw new UsageError(USAGE);
      const room = await core.rooms.room(Number(rawId));
      const accounts = await Promise.all(who.map((w) => findAccount(store, w)));
      await addMembers(store, room.id, accounts);
      print(`room ${room.id} now has ${(await core.rooms.room(room.id)).membersCount} member(s)`);
      return;
    }
    default:
      throw new UsageError(USAGE);
  }
}

/**
 * Adds members as the administrator: whoever they are, without the rule of whom an account may
 * add (Conversations.addable), which is for the accounts' own requests.
 */
async function addMembers(store: Store, roomId: number, accounts: readonly AccountRecord[]): Promise<void> {
  await store.rooms.addMembers(roomId, accounts.map((a) => ({ accountId: a.id, role: 'member' as const })), now());
}

function requireRole(role: string): string {
  if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) throw new UsageError(`role must be one of ${ACCOUNT_ROLES.join(', ')}`);
  return role;
}

async function findAccount(store: Store, who: string): Promise<AccountRecord> {
  const account = /^\d+$/.test(who) ? await store.findAccount('id', Number(who)) : await store.findAccount('email', who.toLowerCase());
  if (!account) throw new UsageError(`no user ${who}`);
  return account;
}

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`parley: ${error.message}\n`);
    process.exit(2);
  }
  if (error instanceof ValidationError) {
    process.stderr.write(`parley: ${Object.entries(error.fields).map(([f, p]) => `${f}: ${p.join(' ')}`).join('; ')}\n`);
    process.exit(1);
  }
  if (error instanceof DomainError || (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`parley: ${error.message}\n`);
    process.exit(1);
  }
  process.stderr.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
