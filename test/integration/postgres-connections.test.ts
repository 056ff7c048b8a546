// The store's PostgreSQL connections (src/store/open.ts), each test on a database of its own.
// - The message path's statements are named prepared statements. Should another process's
//   migration change a table under one, PostgreSQL refuses to run it ("cached plan must not
//   change result type"): the store must run it once more unprepared instead of failing every
//   message until it restarts.
// - The message path's tables are near-empty most of the time: deliveries live for moments, so
//   their statistics say empty, and a plan made then is kept for the connection's life (the
//   prepared statements, the foreign keys' checks and cascades). Such a plan must still find
//   rows by index, not read the table whole with every dead row in it.
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
  store = undefined;
  if (database) await admin(adminUrl, (client) => client.query(`drop database if exists ${database} with (force)`));
});

/** A store on a new database with a dialogue of two: the database's URL, and a message's round trip in it. */
async function dialogue(): Promise<{ url: string; sendAndAcknowledge(sentAt: string): Promise<{ stored: string; acknowledged: boolean }> }> {
  database = `parley_test_${randomBytes(6).toString('hex')}`;
  await admin(adminUrl, (client) => client.query(`create database ${database}`));
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const opened = await openStore({ dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'parley-test-')), databaseUrl: url.toString() });
  store = opened;
  const account = (name: string) =>
    opened.accounts.insert({ email: `${name}@example.com`, username: name, phone: null, firstName: name, lastName: '', photo: null, role: 'member', year: null, passwordHash: 'x', createdAt: '2024-01-01T00:00:00.000Z' });
  const [a, b] = [await account('a'), await account('b')];
  const { conversation } = await opened.conversations.openPair(
    { kind: 'dialogue', key: null, pairKey: dialoguePairKey(a.id, b.id), name: null, description: null, avatar: null, createdBy: a.id, active: true, expiresAt: null, createdAt: '2024-01-01T00:00:00.000Z' },
    [a.id, b.id],
  );
  const message = (sentAt: string): NewMessage => ({
    conversationId: conversation.id, senderId: a.id, body: `sent at ${sentAt}`, type: 'text', clientSentAt: sentAt, sentAt, attachment: null, parentId: null, createdAt: sentAt,
  });
  return {
    url: url.toString(),
    async sendAndAcknowledge(sentAt) {
      const stored = await opened.messages.insert(message(sentAt), { recipients: [b.id], sendKey: sentAt });
      const acknowledged = await opened.messages.acknowledge({ conversationId: conversation.id, recipientId: b.id, sentAt, dropWhenDelivered: true, receivedAt: sentAt });
      return { stored: stored.message.body, acknowledged: acknowledged?.id === stored.message.id };
    },
  };
}

/** Rows read by sequential scans (an index build on the empty table at migration reads none), index scans. */
interface Scans {
  seqRows: number;
  index: number;
}

async function deliveryScans(url: string): Promise<Scans> {
  const { rows } = await admin(url, (client) =>
    client.query<{ seq_rows: string; index: string }>(
      "select seq_tup_read as seq_rows, coalesce(idx_scan, 0) as index from pg_stat_user_tables where relname = 'deliveries'",
    ),
  );
  return { seqRows: Number(rows[0]?.seq_rows ?? 0), index: Number(rows[0]?.index ?? 0) };
}

describe.runIf(postgres)('the store’s PostgreSQL connections', () => {
  it('survive a migration that changes the messages table under their prepared statements', async () => {
    const { url, sendAndAcknowledge } = await dialogue();
    // Several times, so that every connection of the pool has prepared them.
    for (let i = 0; i < 3; i++) expect(await sendAndAcknowledge(`2024-01-01T00:00:0${i}.000Z`)).toEqual({ stored: `sent at 2024-01-01T00:00:0${i}.000Z`, acknowledged: true });
    await admin(url, (client) => client.query('alter table messages add column added_by_a_later_version text'));
    expect(await sendAndAcknowledge('2024-01-01T00:01:00.000Z')).toEqual({ stored: 'sent at 2024-01-01T00:01:00.000Z', acknowledged: true });
  });

  it('find deliveries by index while the table’s statistics say it is empty', async () => {
    const { url, sendAndAcknowledge } = await dialogue();
    // What autovacuum leaves of a table whose rows come and go: no pages, no rows.
    await admin(url, (client) => client.query('vacuum analyze deliveries'));
    const before = await deliveryScans(url);
    for (let i = 0; i < 10; i++) expect((await sendAndAcknowledge(`2024-01-01T00:00:0${i}.000Z`)).acknowledged).toBe(true);
    // A server process reports its scans at the latest as it exits.
    await store?.close();
    store = undefined;
    let after = before;
    for (let waited = 0; waited < 5000 && after.index === before.index && after.seqRows === before.seqRows; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      after = await deliveryScans(url);
    }
    // The pool's other connections report as they exit too.
    await new Promise((resolve) => setTimeout(resolve, 500));
    after = await deliveryScans(url);
    expect(after.index).toBeGreaterThan(before.index);
    expect(after.seqRows).toBe(before.seqRows);
  });
});
