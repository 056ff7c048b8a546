// The rooms dialect's settings in the environment: defaults and refusals.
import { describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_UPLOAD_MAX_BYTES, loadConfig } from '../../src/config.js';

describe('rooms configuration', () => {
  it('defaults to UTC, 25 MB, the built-in allowlist and no push', () => {
    const config = loadConfig({});
    expect(config.timeZone).toBe('UTC');
    expect(config.uploadMaxBytes).toBe(DEFAULT_UPLOAD_MAX_BYTES);
    expect(DEFAULT_UPLOAD_MAX_BYTES).toBe(25 * 1024 * 1024);
    expect(config.uploadTypes).toContain('image/*');
    expect(config.pushWebhookUrl).toBeUndefined();
    expect(config.publicUrl).toBeUndefined();
  });

  it('reads every setting', () => {
    const config = loadConfig({
      PARLEY_TIME_ZONE: 'Asia/Kolkata',
      PARLEY_UPLOAD_MAX_BYTES: '1000',
      PARLEY_UPLOAD_TYPES: 'image/png, Application/PDF',
      PARLEY_PUSH_WEBHOOK_URL: 'http://push.example/hook',
      PARLEY_PUBLIC_URL: 'https://chat.example/',
    });
    expect(config).toMatchObject({
      timeZone: 'Asia/Kolkata',
      uploadMaxBytes: 1000,
      uploadTypes: ['image/png', 'application/pdf'],
      pushWebhookUrl: 'http://push.example/hook',
      publicUrl: 'https://chat.example',
    });
  });

  it('names every bad value at once', () => {
    try {
      loadConfig({
        PARLEY_TIME_ZONE: 'Mars/Olympus',
        PARLEY_UPLOAD_MAX_BYTES: '-1',
        PARLEY_UPLOAD_TYPES: 'png',
        PARLEY_PUSH_WEBHOOK_URL: 'ftp://x',
        PARLEY_PUBLIC_URL: 'chat.example',
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toHaveLength(5);
    }
  });
});
