// One typed, validated configuration object, read once from the environment (PARLEY_*).
import path from 'node:path';
import type { LoginLimits } from './core/login-throttle.js';
import { DEFAULT_MATCH_ROOM_HOURS } from './core/matches.js';
import { DEFAULT_PASSWORD_COST, type ScryptCost } from './core/passwords.js';

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
  /** IANA zone the rooms dialect's REST timestamps are written in (sockets always use UTC). */
  timeZone: string;
  /** Largest attachment the rooms dialect accepts, in bytes. */
  uploadMaxBytes: number;
  /** Attachment content types accepted: exact types or `type/*`. */
  uploadTypes: readonly string[];
  /** Uploads one account may have in progress at once, per process. */
  uploadsPerAccount: number;
  /** Where push notifications for offline room members are POSTed; absent means no push. */
  pushWebhookUrl: string | undefined;
  /** The address clients reach this server at, for absolute URLs; absent means the request's Host. */
  publicUrl: string | undefined;
  /** How long the browser keeps the session cookie, in seconds. */
  sessionMaxAgeSeconds: number;
  /** The bearer token /metrics asks for; absent means /metrics is not served. */
  metricsToken: string | undefined;
  /** scrypt parameters of new password hashes; weaker stored hashes are redone at log-in. */
  passwordCost: ScryptCost;
  loginLimits: LoginLimits;
  /** Addresses (or CIDR ranges) of proxies whose X-Forwarded-For names the client; none by default. */
  trustProxy: string | undefined;
  /** Sockets one account may hold open on this process; 0 for no cap. */
  maxSocketsPerAccount: number;
  /** Sockets one client address (IPv6: one /64) may hold open on this process; 0 for no cap. */
  maxSocketsPerAddress: number;
  /** How often each socket is pinged; one that has not answered the ping before is dropped. */
  heartbeatSeconds: number;
}

export const DEFAULT_SESSION_DAYS = 30;
export const DEFAULT_UPLOADS_PER_ACCOUNT = 2;
export const DEFAULT_LOGIN_LIMITS: LoginLimits = { failuresPerAccount: 10, attemptsPerAddress: 100, windowSeconds: 900 };
export const DEFAULT_UPLOAD_MAX_BYTES = 25 * 1024 * 1024;
/**
 * A person with a phone and a few browser tabs holds well under a hundred sockets (a receive
 * socket and one per open conversation each); a thousand per address leaves room for a busy NAT.
 * Both are far below the open-files limit a process has (20,000 on the machine measured).
 */
export const DEFAULT_MAX_SOCKETS_PER_ACCOUNT = 100;
export const DEFAULT_MAX_SOCKETS_PER_ADDRESS = 1000;
export const DEFAULT_HEARTBEAT_SECONDS = 30;
/** A silent socket holds its file for up to two periods: an hour is already generous. */
const MAX_HEARTBEAT_SECONDS = 3600;
export const DEFAULT_UPLOAD_TYPES: readonly string[] = [
  'image/*',
  'video/*',
  'audio/*',
  'application/pdf',
  'text/plain',
  'application/zip',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
];

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

  const rawTimeZone = text('PARLEY_TIME_ZONE');
  const timeZone = rawTimeZone ?? 'UTC';
  // Only a chosen zone is checked: a date formatter maps ~7 MiB of ICU data, which the default
  // leaves for the first date a room shows.
  if (rawTimeZone !== undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone });
    } catch {
      problems.push(`PARLEY_TIME_ZONE=${JSON.stringify(timeZone)}: expected an IANA time zone such as UTC or Asia/Kolkata`);
    }
  }

  let uploadMaxBytes = DEFAULT_UPLOAD_MAX_BYTES;
  const rawMax = text('PARLEY_UPLOAD_MAX_BYTES');
  if (rawMax !== undefined) {
    uploadMaxBytes = Number(rawMax);
    if (!/^\d+$/.test(rawMax) || uploadMaxBytes < 1) {
      problems.push(`PARLEY_UPLOAD_MAX_BYTES=${JSON.stringify(rawMax)}: expected a whole number of bytes above 0`);
    }
  }

  const rawTypes = text('PARLEY_UPLOAD_TYPES');
  const uploadTypes = rawTypes === undefined ? DEFAULT_UPLOAD_TYPES : rawTypes.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  for (const type of uploadTypes) {
    if (!/^[\w.+-]+\/(\*|[\w.+-]+)$/.test(type)) problems.push(`PARLEY_UPLOAD_TYPES: ${JSON.stringify(type)} is not a content type`);
  }

  /** A positive number (whole when `whole`), or the default when the variable is not set. */
  const positive = (name: string, fallback: number, unit: string, whole = false): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!(whole ? /^\d+$/ : /^\d+(\.\d+)?$/).test(raw) || value <= 0) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected a positive ${whole ? 'whole ' : ''}number of ${unit}`);
    }
    return value;
  };
  const uploadsPerAccount = positive('PARLEY_UPLOADS_PER_ACCOUNT', DEFAULT_UPLOADS_PER_ACCOUNT, 'uploads', true);
  const sessionMaxAgeSeconds = Math.round(positive('PARLEY_SESSION_DAYS', DEFAULT_SESSION_DAYS, 'days') * 86_400);

  let passwordCost = DEFAULT_PASSWORD_COST;
  const rawCost = text('PARLEY_PASSWORD_COST');
  if (rawCost !== undefined) {
    const [N = 0, r = 0, p = 0] = rawCost.split(',').map((part) => (/^\s*\d+\s*$/.test(part) ? Number(part) : Number.NaN));
    passwordCost = { N, r, p };
    const powerOfTwo = N >= 1024 && N <= 2 ** 20 && (N & (N - 1)) === 0;
    if (rawCost.split(',').length !== 3 || !powerOfTwo || !(r >= 1 && r <= 32) || !(p >= 1 && p <= 16) || 128 * N * r > 256 * 2 ** 20) {
      problems.push(
        `PARLEY_PASSWORD_COST=${JSON.stringify(rawCost)}: expected scrypt's N,r,p (N a power of two from 1024 to 2^20, r 1-32, p 1-16, 128·N·r at most 256 MiB), e.g. 32768,8,3`,
      );
    }
  }
  const loginLimits: LoginLimits = {
    failuresPerAccount: positive('PARLEY_LOGIN_ACCOUNT_FAILURES', DEFAULT_LOGIN_LIMITS.failuresPerAccount, 'attempts', true),
    attemptsPerAddress: positive('PARLEY_LOGIN_ADDRESS_ATTEMPTS', DEFAULT_LOGIN_LIMITS.attemptsPerAddress, 'attempts', true),
    windowSeconds: positive('PARLEY_LOGIN_WINDOW_SECONDS', DEFAULT_LOGIN_LIMITS.windowSeconds, 'seconds', true),
  };

  const trustProxy = text('PARLEY_TRUST_PROXY');
  if (trustProxy !== undefined && !trustProxy.split(',').every((entry) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry.trim()))) {
    problems.push(`PARLEY_TRUST_PROXY=${JSON.stringify(trustProxy)}: expected comma-separated IP addresses or CIDR ranges`);
  }

  const metricsToken = text('PARLEY_METRICS_TOKEN');
  if (metricsToken !== undefined && !/^[\x21-\x7e]{16,256}$/.test(metricsToken)) {
    problems.push('PARLEY_METRICS_TOKEN: expected 16 to 256 printable characters without spaces');
  }

  const httpUrl = (name: string): string | undefined => {
    const value = text(name);
    if (value !== undefined && !/^https?:\/\/[^\s]+$/.test(value)) problems.push(`${name}: expected an http:// or https:// URL`);
    return value;
  };
  const count = (name: string, fallback: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw)) problems.push(`${name}=${JSON.stringify(raw)}: expected a whole number (0 for no cap)`);
    return Number(raw);
  };
  const maxSocketsPerAccount = count('PARLEY_MAX_SOCKETS_PER_ACCOUNT', DEFAULT_MAX_SOCKETS_PER_ACCOUNT);
  const maxSocketsPerAddress = count('PARLEY_MAX_SOCKETS_PER_ADDRESS', DEFAULT_MAX_SOCKETS_PER_ADDRESS);
  const heartbeatSeconds = positive('PARLEY_HEARTBEAT_SECONDS', DEFAULT_HEARTBEAT_SECONDS, 'seconds');
  if (heartbeatSeconds > MAX_HEARTBEAT_SECONDS) problems.push(`PARLEY_HEARTBEAT_SECONDS: at most ${MAX_HEARTBEAT_SECONDS}`);

  const pushWebhookUrl = httpUrl('PARLEY_PUSH_WEBHOOK_URL');
  const publicUrl = httpUrl('PARLEY_PUBLIC_URL')?.replace(/\/+$/, '');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    host,
    port,
    dataDir,
    databaseUrl,
    redisUrl,
    redisPrefix,
    logLevel: rawLevel as LogLevel,
    matchRoomHours,
    timeZone,
    uploadMaxBytes,
    uploadTypes,
    uploadsPerAccount,
    pushWebhookUrl,
    publicUrl,
    sessionMaxAgeSeconds,
    metricsToken,
    passwordCost,
    loginLimits,
    trustProxy,
    maxSocketsPerAccount,
    maxSocketsPerAddress,
    heartbeatSeconds,
  };
}
