// Password guessing: failed log-ins are counted per account and, with sign-ups, per address,
// over a window. The counters live in a rate-limiter-flexible store: Redis when the processes
// share one (every process then counts the same), memory otherwise.
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { coreError } from './errors.js';

export interface LoginLimits {
  /** Failed log-ins of one account (by whatever name) within the window. */
  failuresPerAccount: number;
  /** Failed log-ins and sign-ups from one address within the window. */
  attemptsPerAddress: number;
  windowSeconds: number;
}

/** The counters: one store keyed by account, one keyed by address. */
export interface LoginCounters {
  byAccount: RateLimiterAbstract;
  byAddress: RateLimiterAbstract;
}

export class LoginThrottle {
  constructor(private readonly counters: LoginCounters) {}

  /**
   * Counts a log-in attempt before its password is checked, so that concurrent guesses cannot
   * all slip under the limit; refuses it (THROTTLED) when the account or the address is over.
   */
  async attempt(address: string, account: string): Promise<void> {
    await consume(this.counters.byAddress, address);
    try {
      await consume(this.counters.byAccount, account);
    } catch (error) {
      await this.counters.byAddress.reward(address, 1);
      throw error;
    }
  }

  /** The password was right: the account's failures are forgotten, and the address's attempt too. */
  async succeeded(address: string, account: string): Promise<void> {
    await Promise.all([this.counters.byAccount.delete(account), this.counters.byAddress.reward(address, 1)]);
  }

  /** Counts a sign-up from the address; refuses it when the address is over its limit. */
  async signUp(address: string): Promise<void> {
    await consume(this.counters.byAddress, address);
  }
}

async function consume(counter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await counter.consume(key);
  } catch (error) {
    if (!(error instanceof RateLimiterRes)) throw error;
    const seconds = Math.max(1, Math.ceil(error.msBeforeNext / 1000));
    throw coreError('THROTTLED', { seconds });
  }
}

/** Counters in this process's memory: right for one process. */
export function memoryLoginCounters(limits: LoginLimits): LoginCounters {
  return {
    byAccount: new RateLimiterMemory({ keyPrefix: 'account', points: limits.failuresPerAccount, duration: limits.windowSeconds }),
    byAddress: new RateLimiterMemory({ keyPrefix: 'address', points: limits.attemptsPerAddress, duration: limits.windowSeconds }),
  };
}
