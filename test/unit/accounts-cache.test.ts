// The account cache: a change made behind this process's back (the command line, another
// process) shows once the cached entry is a minute old. Runs on a real SQLite store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LocalBus } from '../../src/bus/local-bus.js';
import { Accounts } from '../../src/core/accounts.js';
import { DEFAULT_LOGIN_LIMITS } from '../../src/config.js';
import type { CoreEvent } from '../../src/core/events.js';
import { LoginThrottle, memoryLoginCounters } from '../../src/core/login-throttle.js';
import { PasswordHasher } from '../../src/core/passwords.js';
import { openStore } from '../../src/store/open.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('Accounts cache', () => {
  it('serves an account from memory for a minute, then reads it again', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-'));
    const store = await openStore({ dataDir, databaseUrl: undefined });
    try {
      const accounts = new Accounts(
        store,
        new LocalBus<CoreEvent>({ onHandlerError: () => undefined }),
        new PasswordHasher({ N: 1024, r: 8, p: 1 }),
        new LoginThrottle(memoryLoginCounters(DEFAULT_LOGIN_LIMITS)),
      );
      const account = await accounts.createByAdmin({ email: 'ann@example.com', password: 'a-long-secret', firstName: 'Ann', lastName: 'Lee', role: 'member', year: null });
      vi.useFakeTimers({ toFake: ['Date'] });
      expect((await accounts.byId(account.id))?.role).toBe('member');
      await store.accounts.setRole(account.id, 'admin');
      vi.advanceTimersByTime(30_000);
      expect((await accounts.byId(account.id))?.role).toBe('member');
      vi.advanceTimersByTime(31_000);
      expect((await accounts.byId(account.id))?.role).toBe('admin');
    } finally {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
