// The store's send keys (idempotent send) on a real SQLite store: a repeat within the window is
// the first message; once its key is forgotten, the same key stores a new message.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import type { NewMessage } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

let store: Store | undefined;
afterEach(async () => {
  await store?.close();
});

describe('send keys', () => {
  it('make a repeat the first message until they are forgotten', async () => {
    store = await openStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'parley-unit-')), databaseUrl: undefined });
    const account = (n: number) =>
      store!.accounts.insert({ email: `k${n}@example.com`, username: `k${n}`, phone: null, firstName: 'K', lastName: 'K', photo: null, role: 'member', year: null, passwordHash: 'x', createdAt: '2021-01-01T00:00:00.000000Z' });
    const [a, b] = [await account(1), await account(2)];
    const room = await store.conversations.createRoom(
      { name: 'keys', description: null, avatar: null, createdBy: a.id, active: true, createdAt: '2021-01-01T00:00:00.000000Z' },
      [{ accountId: a.id, role: 'admin' }, { accountId: b.id, role: 'member' }],
    );
    const message = (body: string, createdAt: string): NewMessage => ({
      conversationId: room.id, senderId: a.id, body, type: 'text', clientSentAt: null, sentAt: null, attachment: null, parentId: null, createdAt,
    });
    const first = await store.messages.insert(message('first', '2021-01-01T00:00:00.000000Z'), { sendKey: 'k' });
    const repeat = await store.messages.insert(message('first again', '2021-01-02T00:00:00.000000Z'), { sendKey: 'k' });
    expect(first.repeated).toBe(false);
    expect(repeat).toMatchObject({ repeated: true, message: { id: first.message.id, body: 'first' } });
    // Another sender's key, or another key, is another message.
    expect((await store.messages.insert({ ...message('b', '2021-01-02T00:00:00.000000Z'), senderId: b.id }, { sendKey: 'k' })).repeated).toBe(false);
    expect(await store.messages.forgetSendKeys('2021-01-01T00:00:00.000000Z')).toBe(0);
    expect(await store.messages.forgetSendKeys('2021-01-01T12:00:00.000000Z')).toBe(1);
    const after = await store.messages.insert(message('first, later', '2021-01-09T00:00:00.000000Z'), { sendKey: 'k' });
    expect(after.repeated).toBe(false);
    expect(after.message.id).not.toBe(first.message.id);
  });
});
