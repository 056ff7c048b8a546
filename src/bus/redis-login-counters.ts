// The log-in counters (core/login-throttle.ts) in Redis, so that every process behind a load
// balancer counts the same attempts. While Redis is away each process counts in its own memory
// (rate-limiter-flexible's insurance limiter) rather than letting every attempt through.
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { memoryLoginCounters, type LoginCounters, type LoginLimits } from '../core/login-throttle.js';

export class RedisLoginCounters {
  private readonly redis: Redis;
  readonly counters: LoginCounters;

  constructor(url: string, prefix: string, limits: LoginLimits) {
    this.redis = new Redis(url, {
      retryStrategy: (attempt: number) => Math.min(attempt * 100, 2000),
      // A command fails at once while Redis is away, and the insurance counter answers.
      enableOfflineQueue: false,
      commandTimeout: 1000,
      lazyConnect: true,
      connectionName: 'parley-login-counters',
    });
    this.redis.on('error', () => undefined);
    const insurance = memoryLoginCounters(limits);
    const counter = (name: 'account' | 'address', points: number, fallback: LoginCounters[keyof LoginCounters]) =>
      new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${prefix}login:${name}`,
        points,
        duration: limits.windowSeconds,
        insuranceLimiter: fallback,
      });
    this.counters = {
      byAccount: counter('account', limits.failuresPerAccount, insurance.byAccount),
      byAddress: counter('address', limits.attemptsPerAddress, insurance.byAddress),
    };
  }

  async connect(): Promise<void> {
    await this.redis.connect();
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
