// The account cache: a role changed through the core reaches every Accounts on the bus at once;
// a change made behind the core's back shows once the cached entry is a minute old; sockets
// opening together share the reads of their tokens and accounts. Runs on a real SQLite store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalBus } from '../../src/bus/local-bus.js';
import { Accounts, keyHashOf } from '../../src/core/accounts.js';
import { DEFAULT_LOGIN_LIMITS } from '../../src/config.js';
import type { CoreEvent } from '../../src/core/events.js';
import { LoginThrottle, memoryLoginCounters } from '../../src/core/login-throttle.js';
import { PasswordHasher } from '../../src/core/passwords.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

afterEach(() => {
  vi.useRealTimers();
});

/** A real SQLite store in a directory of its own, for the length of `use`. */
async function withStore(use: (store: Store) => Promise<void>): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-'));
  const store = await openStore({ dataDir, databaseUrl: undefined });
  try {
    await use(store);
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function accountsOn(store: Store, bus = new LocalBus<CoreEvent>({ onHandlerError: () => undefined })): Accounts {
  return new Accounts(store, bus, new PasswordHasher({ N: 1024, r: 8, p: 1 }), new LoginThrottle(memoryLoginCounters(DEFAULT_LOGIN_LIMITS)));
}

describe('Accounts cache', () => {
  it('serves an account from memory for a minute, then reads it again', () =>
    withStore(async (store) => {
      const accounts = accountsOn(store);
      const account = await accounts.createByAdmin({ email: 'ann@example.com', password: 'a-long-secret', firstName: 'Ann', lastName: 'Lee', role: 'member', year: null });
      vi.useFakeTimers({ toFake: ['Date'] });
      expect((await accounts.byId(account.id))?.role).toBe('member');
      await store.accounts.setRole(account.id, 'admin');
      vi.advanceTimersByTime(30_000);
      expect((await accounts.byId(account.id))?.role).toBe('member');
      vi.advanceTimersByTime(31_000);
      expect((await accounts.byId(account.id))?.role).toBe('admin');
    }));

  it('reads an account again at once on every Accounts of the bus when its role is changed through one', () =>
    withStore(async (store) => {
      const bus = new LocalBus<CoreEvent>({ onHandlerError: () => undefined });
      const [here, there] = [accountsOn(store, bus), accountsOn(store, bus)];
      const account = await here.createByAdmin({ email: 'bo@example.com', password: 'a-long-secret', firstName: 'Bo', lastName: 'Li', role: 'member', year: null });
      expect((await there.byId(account.id))?.role).toBe('member');
      await here.setRole(account.id, 'admin');
      expect((await here.byId(account.id))?.role).toBe('admin');
      await new Promise((resolve) => setImmediate(resolve));
      expect((await there.byId(account.id))?.role).toBe('admin');
    }));

  it('reads the tokens and accounts of sockets opening together in one query each, and marks the tokens used in one statement', () =>
    withStore(async (store) => {
      const signups = [];
      for (const name of ['cy', 'di', 'ed']) {
        signups.push(await accountsOn(store).signup({ email: `${name}@example.com`, username: name, password: 'a-long-secret', phone: `90000000${signups.length}0` }, '127.0.0.1'));
      }
      const hashes = signups.map(({ token }) => keyHashOf(token)!);
      const findTokens = vi.spyOn(store.accounts, 'findTokens');
      const findMany = vi.spyOn(store.accounts, 'findMany');
      const touchTokens = vi.spyOn(store.accounts, 'touchTokens');
      // A process that has seen none of them yet, as after a restart.
      const fresh = accountsOn(store);
      const opened = await Promise.all(hashes.map((hash) => fresh.authenticateHash(hash)));
      expect(opened.map((account) => account?.username)).toEqual(['cy', 'di', 'ed']);
      expect(findTokens.mock.calls).toEqual([[hashes]]);
      expect(findMany.mock.calls).toEqual([['id', signups.map(({ account }) => account.id)]]);
      expect(touchTokens).toHaveBeenCalledTimes(1);
      expect(touchTokens.mock.calls[0]?.[0]).toEqual(hashes);
      expect((await store.accounts.findTokens(hashes)).every((token) => token.lastUsedAt !== null)).toBe(true);
    }));
});
