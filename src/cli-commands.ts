// The admin command line's commands in one table, which both the dispatch and --help read: the
// help lists exactly what runs, with every option.
import { parseArgs } from 'node:util';
import type { Core } from './core/core.js';
import { now } from './core/time.js';
import type { AccountRecord } from './store/records.js';
import type { Store } from './store/store.js';

const ACCOUNT_ROLES = ['admin', 'member', 'student'] as const;

/** A command line the CLI cannot run as given (exit status 2); `help` is printed after it. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly help?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

interface OptionSpec {
  /** The value's placeholder in the usage line, e.g. "<email>". */
  value: string;
  help: string;
  required?: boolean;
  default?: string;
}

export interface CommandContext {
  core: Core;
  store: Store;
  operands: string[];
  options: Record<string, string | undefined>;
  print(line: string): void;
}

export interface Command {
  noun: string;
  verb: string;
  summary: string;
  /** Positional arguments: as the usage line shows them, and how many may be given. */
  operands: { shown: string; min: number; max: number };
  options: Record<string, OptionSpec>;
  run(context: CommandContext): Promise<void>;
}

const NO_OPERANDS = { shown: '', min: 0, max: 0 };
const ROLE_VALUE = `<${ACCOUNT_ROLES.join('|')}>`;

export const COMMANDS: readonly Command[] = [
  {
    noun: 'user',
    verb: 'add',
    summary: 'Creates a user, who can then log in through both dialects.',
    operands: NO_OPERANDS,
    options: {
      email: { value: '<email>', help: 'e-mail address, the login', required: true },
      password: { value: '<password>', help: 'password, under the server’s rules', required: true },
      'first-name': { value: '<name>', help: 'first name', required: true },
      'last-name': { value: '<name>', help: 'last name' },
      role: { value: ROLE_VALUE, help: 'role in the rooms dialect', default: 'member' },
      year: { value: '<n>', help: 'year of study, 1 to 10' },
    },
    async run({ core, options, print }) {
      const role = requireRole(options.role ?? 'member');
      const year = options.year === undefined ? null : Number(options.year);
      if (year !== null && (!Number.isInteger(year) || year < 1 || year > 10)) throw new UsageError('--year must be a whole number from 1 to 10');
      const account = await core.accounts.createByAdmin({
        email: options.email ?? '',
        password: options.password ?? '',
        firstName: options['first-name'] ?? '',
        lastName: options['last-name'] ?? '',
        role,
        year,
      });
      print(`created user ${account.id} ${account.email} (${account.role})`);
    },
  },
  {
    noun: 'user',
    verb: 'list',
    summary: 'Lists every user: id, e-mail, name, role and year, tab-separated.',
    operands: NO_OPERANDS,
    options: {},
    async run({ store, print }) {
      for (const account of await store.accounts.list()) {
        print([account.id, account.email, `${account.firstName} ${account.lastName}`.trim(), account.role, account.year ?? '-'].join('\t'));
      }
    },
  },
  {
    noun: 'user',
    verb: 'set-role',
    summary: 'Changes a user’s role (a running server sees it within a minute).',
    operands: { shown: `<email or id> ${ROLE_VALUE}`, min: 2, max: 2 },
    options: {},
    async run({ store, operands: [who = '', role = ''], print }) {
      const account = await findAccount(store, who);
      await store.accounts.setRole(account.id, requireRole(role));
      print(`user ${account.id} ${account.email} is now ${role}`);
    },
  },
  {
    noun: 'room',
    verb: 'add',
    summary: 'Creates a room with its creator as admin and the given members.',
    operands: NO_OPERANDS,
    options: {
      name: { value: '<name>', help: 'room name', required: true },
      creator: { value: '<email or id>', help: 'the user who creates the room and becomes its admin', required: true },
      description: { value: '<text>', help: 'description' },
      members: { value: '<email or id>,…', help: 'members besides the creator, comma-separated' },
    },
    async run({ core, store, options, print }) {
      const creator = await findAccount(store, options.creator ?? '');
      const members = await Promise.all(
        (options.members ?? '').split(',').map((m) => m.trim()).filter(Boolean).map((m) => findAccount(store, m)),
      );
      const room = await core.rooms.createRoom(creator, {
        name: options.name ?? '',
        description: options.description ?? null,
        avatar: null,
        active: true,
        memberIds: [],
      });
      await addMembers(store, room.id, members);
      print(`created room ${room.id} ${room.name ?? ''} with ${(await core.rooms.room(room.id)).membersCount} member(s)`);
    },
  },
  {
    noun: 'room',
    verb: 'add-member',
    summary: 'Adds users to a room as members.',
    operands: { shown: '<room id> <email or id>…', min: 2, max: Infinity },
    options: {},
    async run({ core, store, operands: [rawId = '', ...who], print }) {
      if (!/^\d+$/.test(rawId)) throw new UsageError('the room id must be a number', commandHelp(this));
      const room = await core.rooms.room(Number(rawId));
      const accounts = await Promise.all(who.map((w) => findAccount(store, w)));
      await addMembers(store, room.id, accounts);
      print(`room ${room.id} now has ${(await core.rooms.room(room.id)).membersCount} member(s)`);
    },
  },
];

/**
 * Adds members as the administrator: whoever they are, without the rule of whom an account may
 * add (Conversations.addable), which is for the accounts' own requests.
 */
async function addMembers(store: Store, roomId: number, accounts: readonly AccountRecord[]): Promise<void> {
  await store.conversations.addMembers({ id: roomId, kind: 'room' }, accounts.map((a) => ({ accountId: a.id, role: 'member' as const })), now());
}

const HELP_FLAGS = ['--help', '-h'];

export type Invocation =
  | { kind: 'help'; text: string }
  | { kind: 'run'; command: Command; operands: string[]; options: Record<string, string | undefined> };

/** What the command line asks for; throws UsageError when it cannot be run as given. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const [noun, verb, ...rest] = argv;
  if (noun === undefined) throw new UsageError('no command given', fullHelp());
  if (noun === 'help' || HELP_FLAGS.includes(noun)) {
    if (verb === undefined) return { kind: 'help', text: fullHelp() };
    return { kind: 'help', text: nounHelp(requireNoun(verb)) };
  }
  const commands = requireNoun(noun);
  if (verb === undefined) throw new UsageError(`"${noun}" needs a command`, nounHelp(commands));
  if (HELP_FLAGS.includes(verb)) return { kind: 'help', text: nounHelp(commands) };
  const command = commands.find((c) => c.verb === verb);
  if (!command) throw new UsageError(`unknown command "${noun} ${verb}"`, nounHelp(commands));

  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        ...Object.fromEntries(
          Object.entries(command.options).map(([name, o]) => [name, o.default === undefined ? { type: 'string' } : { type: 'string', default: o.default }] as const),
        ),
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: command.operands.max > 0,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error), commandHelp(command));
  }
  if (parsed.values.help === true) return { kind: 'help', text: commandHelp(command) };
  const options: Record<string, string | undefined> = {};
  for (const name of Object.keys(command.options)) {
    const value = parsed.values[name];
    options[name] = typeof value === 'string' ? value : undefined;
  }
  for (const [name, spec] of Object.entries(command.options)) {
    if (spec.required && options[name] === undefined) throw new UsageError(`--${name} is required`);
  }
  const operands = parsed.positionals;
  if (operands.length < command.operands.min || operands.length > command.operands.max) {
    throw new UsageError(`"${noun} ${verb}" takes ${command.operands.shown || 'no arguments'}`, commandHelp(command));
  }
  return { kind: 'run', command, operands, options };
}

function requireNoun(noun: string): Command[] {
  const commands = COMMANDS.filter((c) => c.noun === noun);
  if (commands.length === 0) throw new UsageError(`unknown command "${noun}"`, fullHelp());
  return commands;
}

export function usageLine(command: Command): string {
  const options = Object.entries(command.options).map(([name, o]) => (o.required ? `--${name} ${o.value}` : `[--${name} ${o.value}]`));
  return ['parley', command.noun, command.verb, command.operands.shown, ...options].filter(Boolean).join(' ');
}

function describe(command: Command): string {
  const rows = Object.entries(command.options).map(([name, o]) => {
    const notes = [o.required ? 'required' : '', o.default === undefined ? '' : `default ${o.default}`].filter(Boolean).join(', ');
    return [`--${name} ${o.value}`, `${o.help}${notes ? ` (${notes})` : ''}`] as const;
  });
  const width = Math.max(0, ...rows.map(([flag]) => flag.length));
  return [`  ${usageLine(command)}`, `      ${command.summary}`, ...rows.map(([flag, help]) => `      ${flag.padEnd(width)}  ${help}`)].join('\n');
}

const FOOTER = `Users are named by e-mail or id. The store is the server's: the same PARLEY_* environment
(PARLEY_DATA_DIR, PARLEY_DATABASE_URL).
parley <noun> --help shows one noun's commands, parley <noun> <verb> --help one command.
Exit status: 0 done (or help shown), 1 a value refused, 2 a usage error.`;

function fullHelp(): string {
  return listHelp(COMMANDS, '<noun>');
}

function nounHelp(commands: readonly Command[]): string {
  return listHelp(commands, commands[0]?.noun ?? '<noun>');
}

function listHelp(commands: readonly Command[], noun: string): string {
  return `usage: parley ${noun} <verb> [arguments] [options]\n\ncommands:\n${commands.map(describe).join('\n\n')}\n\n${FOOTER}\n`;
}

function commandHelp(command: Command): string {
  return `usage: ${usageLine(command)}\n\n${describe(command)}\n\n${FOOTER}\n`;
}

function requireRole(role: string): string {
  if (!(ACCOUNT_ROLES as readonly string[]).includes(role)) throw new UsageError(`role must be one of ${ACCOUNT_ROLES.join(', ')}`);
  return role;
}

async function findAccount(store: Store, who: string): Promise<AccountRecord> {
  const account = /^\d+$/.test(who) ? await store.accounts.find('id', Number(who)) : await store.accounts.find('email', who.toLowerCase());
  if (!account) throw new UsageError(`no user ${who}`);
  return account;
}
