import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_COST, PasswordHasher } from '../../src/core/passwords.js';

const cheap = new PasswordHasher({ N: 1024, r: 8, p: 1 });

describe('passwords', () => {
  it('hash with scrypt at the OWASP cost by default: N=2^15, r=8, p=3 (32 MiB per hash)', async () => {
    expect(DEFAULT_PASSWORD_COST).toEqual({ N: 32768, r: 8, p: 3 });
    const strong = new PasswordHasher(DEFAULT_PASSWORD_COST);
    const hash = await strong.hash('Sup3r-secret-pw');
    expect(hash).toMatch(/^scrypt\$32768\$8\$3\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(await strong.verify('Sup3r-secret-pw', hash)).toBe(true);
    expect(strong.needsRehash(hash)).toBe(false);
  });

  it('verify the right password only, with a fresh salt per hash', async () => {
    const hash = await cheap.hash('Sup3r-secret-pw');
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(await cheap.verify('Sup3r-secret-pw', hash)).toBe(true);
    expect(await cheap.verify('sup3r-secret-pw', hash)).toBe(false);
    expect(await cheap.hash('Sup3r-secret-pw')).not.toBe(hash);
  });

  it('ask for a rehash of a hash made with weaker parameters, and verify it all the same', async () => {
    const old = await new PasswordHasher({ N: 1024, r: 8, p: 1 }).hash('pw-of-old');
    const stronger = new PasswordHasher({ N: 2048, r: 8, p: 2 });
    expect(await stronger.verify('pw-of-old', old)).toBe(true);
    expect(stronger.needsRehash(old)).toBe(true);
    expect(stronger.needsRehash(await stronger.hash('pw'))).toBe(false);
    // A stronger stored hash is left as it is.
    expect(cheap.needsRehash(await stronger.hash('pw'))).toBe(false);
    expect(stronger.needsRehash('plain')).toBe(true);
  });

  it('refuse a malformed stored hash instead of throwing', async () => {
    expect(await cheap.verify('x', 'plain')).toBe(false);
    expect(await cheap.verify('x', 'bcrypt$1$2$3$a$b')).toBe(false);
    expect(await cheap.verify('x', 'scrypt$1000$8$1$a$b')).toBe(false);
  });

  it('run at most `concurrency` hashes at once and queue the rest', async () => {
    const one = new PasswordHasher({ N: 1024, r: 8, p: 1 }, 1);
    const pending = Array.from({ length: 4 }, (_, i) => one.hash(`pw-${i}`));
    expect(one.waiting).toBe(3);
    expect(new Set(await Promise.all(pending)).size).toBe(4);
    expect(one.waiting).toBe(0);
  });
});
