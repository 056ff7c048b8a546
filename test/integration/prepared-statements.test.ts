// PostgreSQL runs the message path's statements as named prepared statements (src/store/open.ts).
// Should another process's migration change a table under one, PostgreSQL refuses to run it
// ("cached plan must not change result type"): the store must run it once more unprepared
// instead of failing every message until it restarts.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { dialoguePairKey } from '../../src/core/conversations.js';
import { openStore } from '../../src/store/open.js';
import type { NewMessage } from '../../src/store/records.js';
import type { Store } from '../../src/store/store.js';

const postgres = process.env.PARLEY_TEST_STORE === 'postgres';
const adminUrl = process.env.PARLEY_TEST_POSTGRES_URL ?? '';
let store: Store | undefined;
let database: string | undefined;

async function admin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

afterEach(async () => {
  await store?.close();
  if (database) await admin(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`));
});

describe.runIf(postgres)('prepared statements on PostgreSQL', () => {
  it('survive a migration that changes the messages table under them', async () => {
    database = `parley_test_${randomBytes(6).toString('hex')}`;
    await admin(adminUrl, (client) => client.query(`create database ${database}`));
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    store = await openStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-')), databaseUrl: url.toString() });
    const account = (name: string) =>
      store!.accounts.insert({ email: `${name}@example.com`, username: name, phone: null, firstName: name, lastName: '', photo: null, role: 'member', year: null, passwordHash: 'x', createdAt: '2024-01-01T00:00:00.000Z' });
    const [a, b] = [await account('a'), await account('b')];
    const { conversation } = await store.conversations.openPair(
      { kind: 'dialogue', key: null, pairKey: dialoguePairKey(a.id, b.id), name: null, description: null, avatar: null, createdBy: a.id, active: true, expiresAt: null, createdAt: '2024-01-01T00:00:00.000Z' },
      [a.id, b.id],
    );
    const message = (sentAt: string): NewMessage => ({
      conversationId: conversation.id, senderId: a.id, body: `sent at ${sentAt}`, type: 'text', clientSentAt: sentAt, sentAt, attachment: null, parentId: null, createdAt: sentAt,
    });
    const sendAndAcknowledge = async (sentAt: string) => {
      const stored = await store!.messages.insert(message(sentAt), { recipients: [b.id], sendKey: sentAt });
      const acknowledged = await store!.messages.acknowledge({ conversationId: conversation.id, recipientId: b.id, sentAt, dropWhenDelivered: true, receivedAt: sentAt });
      return { stored: stored.message.body, acknowledged: acknowledged?.id === stored.message.id };
    };
    // Several times, so that every connection of the pool has prepared them.
    for (let i = 0; i < 3; i++) expect(await sendAndAcknowledge(`2024-01-01T00:00:0${i}.000Z`)).toEqual({ stored: `sent at 2024-01-01T00:00:0${i}.000Z`, acknowledged: true });
    await admin(url.toString(), (client) => client.query('alter table messages add column added_by_a_later_version text'));
    expect(await sendAndAcknowledge('2024-01-01T00:01:00.000Z')).toEqual({ stored: 'sent at 2024-01-01T00:01:00.000Z', acknowledged: true });
  });
});
