// Another process's commit to the same SQLite file (the command line) is noticed by the store's
// watcher (PRAGMA data_version) within a poll; this process's own commits are not.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FOREIGN_WRITES_POLL_MS } from '../../src/store/foreign-writes.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const opened: Store[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const account = (name: string) => ({
  email: `${name}@example.com`,
  username: name,
  phone: null,
  firstName: name,
  lastName: '',
  photo: null,
  role: 'member',
  year: null,
  passwordHash: 'x',
  createdAt: '2024-01-01T00:00:00.000Z',
});

const settle = () => new Promise((resolve) => setTimeout(resolve, FOREIGN_WRITES_POLL_MS * 3));

describe('watchForeignWrites on SQLite', () => {
  it('calls back after another connection commits, not after this one does', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-'));
    dirs.push(dataDir);
    const server = await openStore({ dataDir, databaseUrl: undefined });
    const cli = await openStore({ dataDir, databaseUrl: undefined });
    opened.push(server, cli);
    let calls = 0;
    server.watchForeignWrites(() => {
      calls += 1;
    });
    await settle();
    await server.accounts.insert(account('own'));
    await settle();
    expect(calls).toBe(0);

    await cli.accounts.insert(account('other'));
    await settle();
    expect(calls).toBe(1);
    await settle();
    expect(calls).toBe(1);
  });
});
