// Password hashes: scrypt from node:crypto, stored as "scrypt$N$r$p$salt$hash" (base64).
// scrypt takes 128·N·r bytes per hash: at the default cost (N=2^15, r=8, p=3, OWASP's
// alternative to N=2^17, r=8, p=1 for the same work) that is 32 MiB instead of 128 MiB, and at
// most one hash per core runs at once, so a burst of log-ins queues instead of taking memory.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import os from 'node:os';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_PASSWORD_COST: ScryptCost = { N: 2 ** 15, r: 8, p: 3 };

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, { N, r, p }: ScryptCost): Promise<Buffer> {
  // What OpenSSL allocates for these parameters; Node refuses anything above maxmem.
  const options: ScryptOptions = { N, r, p, maxmem: 128 * r * (N + p + 2) };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The parameters of a stored hash, or undefined when it is not one of ours. */
function parse(stored: string): { cost: ScryptCost; salt: Buffer; hash: Buffer } | undefined {
  const [scheme, n, r, p, salt, hash, ...rest] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash || rest.length > 0) return undefined;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every(Number.isSafeInteger) || cost.N < 2 || (cost.N & (cost.N - 1)) !== 0) return undefined;
  return { cost, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

export class PasswordHasher {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    readonly cost: ScryptCost,
    private readonly concurrency = os.availableParallelism(),
  ) {}

  /** Hashes waiting for a turn. */
  get waiting(): number {
    return this.queue.length;
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.turn(() => derive(password, salt, this.cost));
    const { N, r, p } = this.cost;
    return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return false;
    const key = await this.turn(() => derive(password, parsed.salt, parsed.cost));
    return key.length === parsed.hash.length && timingSafeEqual(key, parsed.hash);
  }

  /** Whether a stored hash is weaker than this hasher's cost in work or in memory. */
  needsRehash(stored: string): boolean {
    const parsed = parse(stored);
    if (!parsed) return true;
    const { N, r, p } = parsed.cost;
    return N * r * p < this.cost.N * this.cost.r * this.cost.p || N * r < this.cost.N * this.cost.r;
  }

  /** Runs `work` when a place is free; a finished hash hands its place to the next in line. */
  private async turn<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running += 1;
    try {
      return await work();
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running -= 1;
    }
  }
}
