// Log-in redoes a password hash made with weaker scrypt parameters than today's. Runs on a real
// SQLite store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalBus } from '../../src/bus/local-bus.js';
import { DEFAULT_LOGIN_LIMITS } from '../../src/config.js';
import { Accounts } from '../../src/core/accounts.js';
import type { CoreEvent } from '../../src/core/events.js';
import { LoginThrottle, memoryLoginCounters } from '../../src/core/login-throttle.js';
import { PasswordHasher, type ScryptCost } from '../../src/core/passwords.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

const accounts = (store: Store, cost: ScryptCost): Accounts =>
  new Accounts(store, new LocalBus<CoreEvent>({ onHandlerError: () => undefined }), new PasswordHasher(cost), new LoginThrottle(memoryLoginCounters(DEFAULT_LOGIN_LIMITS)));

describe('log-in', () => {
  it('rehashes a weaker stored hash with the current parameters, and keeps a current one', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-'));
    const store = await openStore({ dataDir, databaseUrl: undefined });
    try {
      const created = await accounts(store, { N: 1024, r: 8, p: 1 }).createByAdmin({
        email: 'old@example.com',
        password: 'an-old-password',
        firstName: 'Old',
        lastName: 'Hash',
        role: 'member',
        year: null,
      });
      const createdHash = (await store.accounts.find('id', created.id))?.passwordHash;
      expect(createdHash).toMatch(/^scrypt\$1024\$8\$1\$/);
      const today = accounts(store, { N: 2048, r: 8, p: 2 });
      expect(await today.login('email', 'old@example.com', 'wrong-password', '127.0.0.1')).toBeUndefined();
      expect((await store.accounts.find('id', created.id))?.passwordHash).toBe(createdHash);
      expect(await today.login('email', 'old@example.com', 'an-old-password', '127.0.0.1')).toBeDefined();
      const rehashed = (await store.accounts.find('id', created.id))?.passwordHash ?? '';
      expect(rehashed).toMatch(/^scrypt\$2048\$8\$2\$/);
      expect(await today.login('email', 'old@example.com', 'an-old-password', '127.0.0.1')).toBeDefined();
      expect((await store.accounts.find('id', created.id))?.passwordHash).toBe(rehashed);
    } finally {
      await store.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
