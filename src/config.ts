// One typed, validated configuration object, read once from the environment (PARLEY_*).
import path from 'node:path';
import { DEFAULT_MATCH_ROOM_HOURS } from './core/matches.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  /** postgres://… selects PostgreSQL; absent means SQLite under dataDir. */
  databaseUrl: string | undefined;
  /** redis://… selects the Redis bus; absent means the in-process bus. */
  redisUrl: string | undefined;
  /** Prefix of every Redis channel and key, so that deployments can share one Redis. */
  redisPrefix: string;
  logLevel: LogLevel;
  /** How long a phone-dialect match room lasts, in hours (fractions allowed). */
  matchRoomHours: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** Reads the configuration, naming every bad value at once rather than the first one only. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const host = text('PARLEY_HOST') ?? '127.0.0.1';

  let port = 8000;
  const rawPort = text('PARLEY_PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535) {
      problems.push(`PARLEY_PORT=${JSON.stringify(rawPort)}: expected a whole number from 0 to 65535`);
    }
  }

  const dataDir = path.resolve(text('PARLEY_DATA_DIR') ?? './data');

  const databaseUrl = text('PARLEY_DATABASE_URL');
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`PARLEY_DATABASE_URL: expected a postgres:// or postgresql:// URL`);
  }

  const redisUrl = text('PARLEY_REDIS_URL');
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    problems.push(`PARLEY_REDIS_URL: expected a redis:// or rediss:// URL`);
  }

  const redisPrefix = text('PARLEY_REDIS_PREFIX') ?? 'parley:';
  if (!/^[\w:.-]{1,64}$/.test(redisPrefix)) {
    problems.push(`PARLEY_REDIS_PREFIX=${JSON.stringify(redisPrefix)}: expected up to 64 letters, digits, ':', '.', '-' or '_'`);
  }

  const rawLevel = text('PARLEY_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(rawLevel as LogLevel)) {
    problems.push(`PARLEY_LOG_LEVEL=${JSON.stringify(rawLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  }

  let matchRoomHours = DEFAULT_MATCH_ROOM_HOURS;
  const rawHours = text('PARLEY_MATCH_ROOM_HOURS');
  if (rawHours !== undefined) {
    matchRoomHours = Number(rawHours);
    if (!/^\d+(\.\d+)?$/.test(rawHours) || matchRoomHours <= 0) {
      problems.push(`PARLEY_MATCH_ROOM_HOURS=${JSON.stringify(rawHours)}: expected a positive number of hours`);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return { host, port, dataDir, databaseUrl, redisUrl, redisPrefix, logLevel: rawLevel as LogLevel, matchRoomHours };
}
