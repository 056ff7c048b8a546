// The admin command line (`npx parley …`), built and run as a real process against the store
// of a running server.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, usageLine } from '../../src/cli-commands.js';
import { request, within } from '../support/clients.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
let server: TestServer;
// Built apart from dist/src: the cluster suite runs dist/src/main.js (the bundle) while this runs,
// and each store's project builds its own copy at once.
const BUILT = `dist/test-cli/${process.env.PARLEY_TEST_STORE ?? 'sqlite'}`;

beforeAll(async () => {
  await run('npx', ['tsc', '-p', 'tsconfig.build.json', '--outDir', BUILT]);
  server = await startTestServer();
}, 120_000);
afterAll(async () => {
  await server.close();
});

async function parley(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('node', [`${BUILT}/src/cli.js`, ...args], { env: { ...process.env, ...server.env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('parley user / room', () => {
  it('adds users who log in through both dialects, sets roles, makes rooms and adds members', { timeout: 60_000 }, async () => {
    const suffix = Date.now();
    const ann = `ann${suffix}@example.com`;
    const bob = `bob${suffix}@example.com`;
    expect((await parley('user', 'add', '--email', ann, '--password', 'secret-pass-1', '--first-name', 'Ann', '--year', '2')).stdout).toMatch(
      new RegExp(`^created user \\d+ ${ann} \\(member\\)`),
    );
    await parley('user', 'add', '--email', bob, '--password', 'secret-pass-2', '--first-name', 'Bob', '--last-name', 'B');
    const login = await request(server, 'POST', '/api/user/login/', { body: { email: ann, password: 'secret-pass-1' } });
    expect(login.body).toMatchObject({ year: '2nd', message: 'Welcome Ann!' });
    expect((await request(server, 'POST', '/auth/login/', { body: { email: bob, password: 'secret-pass-2' } })).status).toBe(200);

    expect((await parley('user', 'set-role', ann, 'admin')).stdout).toMatch(/is now admin/);
    const list = (await parley('user', 'list')).stdout;
    expect(list).toMatch(new RegExp(`\\t${ann}\\tAnn\\tadmin\\t2`));

    const created = await parley('room', 'add', '--name', `cli_${suffix}`, '--creator', ann);
    expect(created.stdout).toMatch(/^created room (\d+) cli_\d+ with 1 member\(s\)/);
    const roomId = /created room (\d+)/.exec(created.stdout)?.[1] ?? '';
    expect((await parley('room', 'add-member', roomId, bob)).stdout).toBe(`room ${roomId} now has 2 member(s)\n`);
    const members = await request(server, 'GET', `/api/chat/groups/${roomId}/members/`, { token: login.body.token });
    expect(members.body.map((m: any) => m.first_name)).toEqual(['Ann', 'Bob']);
  });

  it('lets an administrator add any account, over HTTP and with --members, but never an id nobody has', { timeout: 60_000 }, async () => {
    const suffix = `${Date.now()}x`;
    const boss = `boss${suffix}@example.com`;
    const [carl, dora] = [`carl${suffix}@example.com`, `dora${suffix}@example.com`];
    await parley('user', 'add', '--email', boss, '--password', 'secret-pass-3', '--first-name', 'Boss', '--role', 'admin');
    const ids = [];
    for (const email of [carl, dora]) {
      ids.push(Number(/created user (\d+)/.exec((await parley('user', 'add', '--email', email, '--password', 'secret-pass-4', '--first-name', 'C')).stdout)?.[1]));
    }
    const token = (await request(server, 'POST', '/api/user/login/', { body: { email: boss, password: 'secret-pass-3' } })).body.token as string;
    // Neither shares a conversation with the administrator.
    const created = await request(server, 'POST', '/api/chat/create-group/', { token, body: { name: `boss_${suffix}`, members: ids } });
    expect(created.status).toBe(201);
    const refused = await request(server, 'POST', `/api/chat/group/${created.body.room.id}/add-members/`, { token, body: { members: [99_999_999] } });
    expect(refused.body).toEqual({ members: ['Invalid pk "99999999" - object does not exist.'] });
    // The command line is the administrator's path, whoever the creator is.
    const viaCli = await parley('room', 'add', '--name', `cli_members_${suffix}`, '--creator', carl, '--members', `${dora},${boss}`);
    expect(viaCli.stdout).toMatch(/with 3 member\(s\)/);
  });

  it('refuses bad input with a message and a non-zero exit', { timeout: 60_000 }, async () => {
    expect(await parley()).toMatchObject({ code: 2, stderr: expect.stringMatching(/usage:/) });
    expect(await parley('user', 'fly')).toMatchObject({ code: 2 });
    expect(await parley('user', 'add', '--email', 'x@example.com', '--password', 'secret-pass-1', '--first-name', 'X', '--role', 'boss')).toMatchObject({
      code: 2,
      stderr: 'parley: role must be one of admin, member, student\n',
    });
    expect(await parley('user', 'add', '--email', 'not-an-email', '--password', 'short', '--first-name', 'X')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/email: Enter a valid email address\.; password: This password is too short/),
    });
    expect(await parley('user', 'add', '--bogus')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^parley: Unknown option '--bogus'/) });
    expect(await parley('user', 'set-role', 'nobody@example.com', 'admin')).toMatchObject({ code: 2, stderr: 'parley: no user nobody@example.com\n' });
    expect(await parley('room', 'add', '--name', 'x')).toMatchObject({ code: 2, stderr: 'parley: --creator is required\n' });
    expect(await parley('room', 'add-member', '999999', '1')).toMatchObject({ code: 1, stderr: 'parley: Not found.\n' });
  });
});

describe('changes made by the command line', () => {
  // SQLite: the server notices the other process's commit (PRAGMA data_version); PostgreSQL:
  // the command line publishes the invalidations on the server's Redis.
  it('reach the running server within a second: a revoked user is refused, a removed member too', { timeout: 60_000 }, async () => {
    const owner = await roomsUser(server, 'Olga');
    const member = await roomsUser(server, 'Max');
    const revoked = await roomsUser(server, 'Rita');
    const roomId = await createRoom(server, owner, [member, revoked]);
    const history = (user: { token: string }) => request(server, 'GET', `/api/chat/groups/${roomId}/messages/`, { token: user.token });
    // Both are cached as members, with their tokens, before the command line runs.
    expect((await history(member)).status).toBe(200);
    expect((await history(revoked)).status).toBe(200);
    const memberSocket = await roomSocket(server, roomId, member);
    const revokedSocket = await roomSocket(server, roomId, revoked);

    expect((await parley('user', 'revoke', revoked.email)).stdout).toMatch(/^revoked 2 token\(s\) of user \d+ /); // its sign-up's and its log-in's
    const tokenGone = await within(1000, async () => (await history(revoked)).status === 401, 'the revocation');
    expect(await revokedSocket.closedWithin(1000)).toBe(4401);

    expect((await parley('room', 'remove-member', String(roomId), member.email)).stdout).toBe(`room ${roomId} now has 2 member(s)\n`);
    const memberGone = await within(1000, async () => (await history(member)).status === 403, 'the removal');
    if (server.engine === 'postgres') {
      // The removal's event reaches the server's sockets too.
      expect(await memberSocket.closedWithin(1000)).toBe(4403);
    } else {
      // No bus between the processes: the socket stays open, but its every frame is refused.
      memberSocket.send({ message: 'still here?' });
      expect((await memberSocket.take((frame) => frame.error !== undefined)).error).toBe('You are not a member of this room.');
    }
    expect((await history(owner)).status).toBe(200);
    console.log(`${server.engine}: command-line revocation seen after ${tokenGone.toFixed(0)} ms, removal after ${memberGone.toFixed(0)} ms`);
  });

  it('refuses to remove a room’s creator', async () => {
    const owner = await roomsUser(server, 'Olga');
    const roomId = await createRoom(server, owner, []);
    expect(await parley('room', 'remove-member', String(roomId), owner.email)).toMatchObject({ code: 1, stderr: expect.stringMatching(/creator/) });
  });
});

/** The commands a help text lists, as "noun verb". */
const listed = (help: string): string[] =>
  help.split('\n').filter((line) => line.startsWith('  parley ')).map((line) => line.trim().split(' ').slice(1, 3).join(' '));

describe('parley --help', () => {
  it('lists every command the CLI dispatches, each with all its options, on stdout with exit 0', async () => {
    const help = await parley('--help');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(listed(help.stdout)).toEqual(COMMANDS.map((c) => `${c.noun} ${c.verb}`));
    for (const command of COMMANDS) {
      expect(help.stdout).toContain(`  ${usageLine(command)}\n`);
      for (const option of Object.keys(command.options)) expect(help.stdout).toMatch(new RegExp(`\\n {6}--${option} `));
    }
    expect((await parley('-h')).stdout).toBe(help.stdout);
    expect((await parley('help')).stdout).toBe(help.stdout);
  });

  it('dispatches each listed command: its --help shows that command; a noun’s --help lists the noun’s commands', async () => {
    for (const command of COMMANDS) {
      const help = await parley(command.noun, command.verb, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout.startsWith(`usage: ${usageLine(command)}\n`)).toBe(true);
      expect(listed(help.stdout)).toEqual([`${command.noun} ${command.verb}`]);
    }
    for (const noun of new Set(COMMANDS.map((c) => c.noun))) {
      const help = await parley(noun, '--help');
      expect(help.code).toBe(0);
      expect(listed(help.stdout)).toEqual(COMMANDS.filter((c) => c.noun === noun).map((c) => `${noun} ${c.verb}`));
      expect((await parley('help', noun)).stdout).toBe(help.stdout);
    }
  });

  it('answers a usage error with exit 2 and the help that applies, on stderr', async () => {
    const unknownNoun = await parley('group', 'add');
    expect(unknownNoun).toMatchObject({ code: 2, stdout: '' });
    expect(unknownNoun.stderr.startsWith('parley: unknown command "group"\n')).toBe(true);
    expect(listed(unknownNoun.stderr)).toHaveLength(COMMANDS.length);
    const unknownVerb = await parley('room', 'fly');
    expect(unknownVerb).toMatchObject({ code: 2 });
    expect(listed(unknownVerb.stderr)).toEqual(['room add', 'room add-member', 'room remove-member']);
    expect(await parley('user')).toMatchObject({ code: 2, stderr: expect.stringMatching(/^parley: "user" needs a command\n/) });
    const missingOperand = await parley('user', 'set-role', 'someone@example.com');
    expect(missingOperand).toMatchObject({ code: 2 });
    expect(missingOperand.stderr).toContain('usage: parley user set-role <email or id> <admin|member|student>\n');
    expect(await parley('user', 'list', 'extra')).toMatchObject({ code: 2 });
    expect(await parley('user', 'add', '--email', 'x@example.com', '--password', 'secret-pass-1')).toMatchObject({
      code: 2,
      stderr: 'parley: --first-name is required\n',
    });
  });
});
