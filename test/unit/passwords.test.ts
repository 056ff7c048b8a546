import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/core/passwords.js';

describe('passwords', () => {
  it('verifies the right password only, with a fresh salt per hash', async () => {
    const hash = await hashPassword('Sup3r-secret-pw');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(await verifyPassword('Sup3r-secret-pw', hash)).toBe(true);
    expect(await verifyPassword('sup3r-secret-pw', hash)).toBe(false);
    expect(await hashPassword('Sup3r-secret-pw')).not.toBe(hash);
  });

  it('refuses a malformed stored hash instead of throwing', async () => {
    expect(await verifyPassword('x', 'plain')).toBe(false);
    expect(await verifyPassword('x', 'bcrypt$1$2$3$a$b')).toBe(false);
  });
});
