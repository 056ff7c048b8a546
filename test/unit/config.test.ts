import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_UPLOAD_MAX_BYTES, DEFAULT_UPLOAD_TYPES, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      host: '127.0.0.1',
      port: 8000,
      dataDir: path.resolve('./data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      redisPrefix: 'parley:',
      logLevel: 'info',
      matchRoomHours: 24,
      timeZone: 'UTC',
      uploadMaxBytes: DEFAULT_UPLOAD_MAX_BYTES,
      uploadTypes: DEFAULT_UPLOAD_TYPES,
      uploadsPerAccount: 2,
      pushWebhookUrl: undefined,
      publicUrl: undefined,
      sessionMaxAgeSeconds: 30 * 86_400,
      metricsToken: undefined,
      passwordCost: { N: 32768, r: 8, p: 3 },
      loginLimits: { failuresPerAccount: 10, attemptsPerAddress: 100, windowSeconds: 900 },
      trustProxy: undefined,
      maxSocketsPerAccount: 100,
      maxSocketsPerAddress: 1000,
      heartbeatSeconds: 30,
    });
  });

  it('reads the hardening variables and refuses bad ones', () => {
    const config = loadConfig({
      PARLEY_PASSWORD_COST: '131072,8,1',
      PARLEY_LOGIN_ACCOUNT_FAILURES: '5',
      PARLEY_LOGIN_ADDRESS_ATTEMPTS: '50',
      PARLEY_LOGIN_WINDOW_SECONDS: '60',
      PARLEY_SESSION_DAYS: '0.5',
      PARLEY_UPLOADS_PER_ACCOUNT: '3',
      PARLEY_METRICS_TOKEN: 'a-scraper-token-0123',
      PARLEY_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16',
    });
    expect(config).toMatchObject({
      trustProxy: '10.0.0.1, 192.168.0.0/16',
      passwordCost: { N: 131072, r: 8, p: 1 },
      loginLimits: { failuresPerAccount: 5, attemptsPerAddress: 50, windowSeconds: 60 },
      sessionMaxAgeSeconds: 43_200,
      uploadsPerAccount: 3,
      metricsToken: 'a-scraper-token-0123',
    });
    for (const [name, value] of [
      ['PARLEY_PASSWORD_COST', '30000,8,1'],
      ['PARLEY_PASSWORD_COST', '32768,8'],
      ['PARLEY_PASSWORD_COST', '1048576,8,1'],
      ['PARLEY_LOGIN_ACCOUNT_FAILURES', '0'],
      ['PARLEY_LOGIN_WINDOW_SECONDS', '1.5'],
      ['PARLEY_SESSION_DAYS', '-1'],
      ['PARLEY_UPLOADS_PER_ACCOUNT', 'many'],
      ['PARLEY_METRICS_TOKEN', 'short'],
      ['PARLEY_TRUST_PROXY', 'everyone'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(name));
    }
  });

  it('reads the socket caps, 0 meaning none, and refuses anything but a whole number', () => {
    expect(loadConfig({ PARLEY_MAX_SOCKETS_PER_ACCOUNT: '5', PARLEY_MAX_SOCKETS_PER_ADDRESS: '0' })).toMatchObject({
      maxSocketsPerAccount: 5,
      maxSocketsPerAddress: 0,
    });
    expect(() => loadConfig({ PARLEY_MAX_SOCKETS_PER_ACCOUNT: '-1' })).toThrow(/PARLEY_MAX_SOCKETS_PER_ACCOUNT="-1"/);
    expect(() => loadConfig({ PARLEY_MAX_SOCKETS_PER_ADDRESS: 'many' })).toThrow(/PARLEY_MAX_SOCKETS_PER_ADDRESS="many"/);
  });

  it('reads the heartbeat period, from a fraction of a second to an hour', () => {
    expect(loadConfig({ PARLEY_HEARTBEAT_SECONDS: '2.5' }).heartbeatSeconds).toBe(2.5);
    expect(loadConfig({ PARLEY_HEARTBEAT_SECONDS: '3600' }).heartbeatSeconds).toBe(3600);
    for (const value of ['0', '-5', 'soon', '3601']) {
      expect(() => loadConfig({ PARLEY_HEARTBEAT_SECONDS: value }), value).toThrow(/PARLEY_HEARTBEAT_SECONDS/);
    }
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PARLEY_HOST: '0.0.0.0',
      PARLEY_PORT: '9000',
      PARLEY_DATA_DIR: '/tmp/x',
      PARLEY_DATABASE_URL: 'postgres://u@h/db',
      PARLEY_REDIS_URL: 'redis://h:6379',
      PARLEY_LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({ host: '0.0.0.0', port: 9000, dataDir: '/tmp/x', databaseUrl: 'postgres://u@h/db', redisUrl: 'redis://h:6379', logLevel: 'warn' });
  });

  it('names every bad value at once', () => {
    let problems: string[] = [];
    try {
      loadConfig({ PARLEY_PORT: 'eighty', PARLEY_DATABASE_URL: 'mysql://x', PARLEY_REDIS_URL: 'http://x', PARLEY_LOG_LEVEL: 'loud' });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      problems = (error as ConfigError).problems;
    }
    expect(problems).toHaveLength(4);
    expect(problems.join('\n')).toMatch(/PARLEY_PORT="eighty"[\s\S]*PARLEY_DATABASE_URL[\s\S]*PARLEY_REDIS_URL[\s\S]*PARLEY_LOG_LEVEL="loud"/);
    expect(() => loadConfig({ PARLEY_PORT: '70000' })).toThrow(/PARLEY_PORT/);
  });
});
