import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { coreError, ERRORS, problem, ValidationError } from '../../src/core/errors.js';
import { PHONE_WORDING } from '../../src/dialects/phone/wording.js';
import { ROOMS_WORDING } from '../../src/dialects/rooms/wording.js';
import { DRF_WORDING } from '../../src/dialects/wording.js';

describe('the error registry', () => {
  it('gives every code a 4xx status and a domain sentence', () => {
    for (const [code, definition] of Object.entries(ERRORS)) {
      expect(definition.status, code).toBeGreaterThanOrEqual(400);
      expect(definition.status, code).toBeLessThan(500);
    }
    const error = coreError('PIN_LIMIT', { max: 3 });
    expect(error).toMatchObject({ code: 'PIN_LIMIT', status: 409, params: { max: 3 }, message: 'at most 3 messages can be pinned at once' });
    expect(coreError('THROTTLED', { seconds: 7 }).retryAfterSeconds).toBe(7);
    expect(coreError('NOT_A_MEMBER').retryAfterSeconds).toBeUndefined();
  });
});

describe('dialect wording', () => {
  it('words one code differently per dialect', () => {
    const notMember = coreError('NOT_A_MEMBER');
    expect(PHONE_WORDING.error(notMember)).toBe('you are not a member of this conversation');
    expect(ROOMS_WORDING.error(notMember)).toBe('You are not a member of this room.');
    const tooLong = coreError('MESSAGE_TOO_LONG', { max: 10 });
    expect(PHONE_WORDING.error(tooLong)).toBe('a message may hold at most 10 characters');
    expect(ROOMS_WORDING.error(tooLong)).toBe('A message may hold at most 10 characters.');
  });

  it("names the domain's fields as each dialect does, in order", () => {
    const refused = new ValidationError({
      phone: [problem('FIELD_REQUIRED')],
      firstName: [problem('FIELD_TOO_LONG', { max: 5 })],
      email: [problem('TAKEN', { entity: 'account', field: 'email' })],
    });
    expect(JSON.stringify(PHONE_WORDING.fields(refused.fields))).toBe(
      JSON.stringify({
        ph_num: ['This field is required.'],
        first_name: ['Ensure this field has no more than 5 characters.'],
        email: ['account with this email already exists.'],
      }),
    );
    expect(PHONE_WORDING.problem(problem('TAKEN', { entity: 'account', field: 'phone' }))).toBe('account with this ph_num already exists.');
    expect(PHONE_WORDING.error(coreError('INSTANT_INVALID', { field: 'clientSentAt' }))).toBe(
      'sent_timestamp must be a date and time such as 2020-11-21 16:32:17.356',
    );
    expect(ROOMS_WORDING.error(refused)).toBe(
      'phone: This field is required.; first_name: Ensure this field has no more than 5 characters.; email: account with this email already exists.',
    );
  });

  it('falls back to the domain sentence for a code the dialect does not word', () => {
    expect(DRF_WORDING.error(coreError('ROOM_NOT_FOUND'))).toBe('no such room');
  });
});

describe('the core', () => {
  it("speaks none of the dialects' wire words", () => {
    const dir = path.resolve(import.meta.dirname, '../../src/core');
    const wireWords = /ph_num|sent_timestamp|msg_from|msg_to|click_action|deactive|This field|Ensure this field|already exists|Not found\./;
    for (const file of fs.readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      expect(fs.readFileSync(path.join(dir, file), 'utf8'), file).not.toMatch(wireWords);
    }
  });
});
