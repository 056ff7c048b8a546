// What the schema's referential constraints cost a personal message's life in the store, apart
// from the server: the rows a phone message touches (its insert and its delivery; then the
// delivery removed, the member's marker moved, the message dropped) written as the message
// path writes them, in batches, on Parley's own migrated schema, once as Parley runs and once
// with the constraints' triggers off (SQLite: `foreign_keys = OFF`; PostgreSQL:
// `session_replication_role = replica`, which also stops the history-count trigger). A
// diagnostic, not a target: it says where the store's time goes.
// `npx tsc -p bench/tsconfig.json && node scripts/build-server.mjs && node dist/bench/store-constraints.js [--postgres]`
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import { createDatabase } from './harness.js';

const { values } = parseArgs({ options: { postgres: { type: 'boolean', default: false } } });
const PAIRS = 1000;
const BATCH = 20;
const MESSAGES = 60_000;
/** PostgreSQL: writers at once, each on conversations of its own (as the group commit's lanes). */
const WRITERS = 4;
const ROUNDS = 2;

type Mode = 'as Parley runs' | 'constraints off';
const MODES: Mode[] = ['as Parley runs', 'constraints off'];

async function migrated(databaseUrl: string | undefined, dataDir: string): Promise<void> {
  const store = await openStore({ dataDir, databaseUrl });
  await store.close();
}

/** Microseconds of wall time per message on SQLite's one connection. */
function sqliteCycle(file: string, mode: Mode): number {
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`foreign_keys = ${mode === 'as Parley runs' ? 'ON' : 'OFF'}`);
  const insert = db.prepare(
    "insert into messages (conversation_id, sender_id, body, type, sent_at, created_at, updated_at) values (?, ?, ?, 'text', ?, 'x', 'x') returning id",
  );
  const deliver = db.prepare('insert into deliveries (message_id, recipient_id) values (?, ?)');
  const remove = db.prepare(`delete from deliveries where recipient_id = ? and message_id = (select messages.id from messages
    join deliveries pending on pending.message_id = messages.id
    where messages.conversation_id = ? and messages.sent_at = ? and pending.recipient_id = ? order by messages.id limit 1) returning message_id`);
  const drop = db.prepare('delete from messages where id = ? and not exists (select 1 from deliveries where message_id = ?) returning sender_id');
  const mark = db.prepare('update members set last_received_at = ? where conversation_id = ? and account_id = ?');
  const started = process.hrtime.bigint();
  for (let i = 0; i < MESSAGES; i += BATCH) {
    const sent: Array<[conversation: number, at: string]> = [];
    db.transaction(() => {
      for (let k = 0; k < BATCH; k += 1) {
        const conversation = 1 + ((i + k) % PAIRS);
        const at = `${mode}${i + k}`;
        const { id } = insert.get(conversation, 2 * conversation - 1, `a message of the bench, number ${i + k}`, at) as { id: number };
        deliver.run(id, 2 * conversation);
        sent.push([conversation, at]);
      }
    })();
    db.transaction(() => {
      for (const [conversation, at] of sent) {
        const removed = remove.get(2 * conversation, conversation, at, 2 * conversation) as { message_id: number };
        drop.get(removed.message_id, removed.message_id);
        mark.run('received', conversation, 2 * conversation);
      }
    })();
  }
  const micros = Number(process.hrtime.bigint() - started) / 1000 / MESSAGES;
  db.close();
  return micros;
}

function seedSqlite(file: string): void {
  const db = new BetterSqlite3(file);
  const account = db.prepare("insert into accounts (id, email, username, phone, password_hash, created_at) values (?, ?, ?, ?, 'x', 'x')");
  const conversation = db.prepare("insert into conversations (id, kind, pair_key, created_at) values (?, 'personal', ?, 'x')");
  const member = db.prepare("insert into members (conversation_id, account_id, joined_at) values (?, ?, 'x')");
  db.transaction(() => {
    for (let i = 1; i <= 2 * PAIRS; i += 1) account.run(i, `bench${i}@example.com`, `bench${i}`, `55500${String(i).padStart(5, '0')}`);
    for (let c = 1; c <= PAIRS; c += 1) {
      conversation.run(c, `pair${c}`);
      member.run(c, 2 * c - 1);
      member.run(c, 2 * c);
    }
  })();
  db.close();
}

const SEED_POSTGRES = `
  insert into accounts (id, email, username, phone, password_hash, created_at)
    select g, 'bench' || g || '@example.com', 'bench' || g, '55500' || lpad(g::text, 5, '0'), 'x', 'x' from generate_series(1, ${2 * PAIRS}) g;
  insert into conversations (id, kind, pair_key, created_at) select g, 'personal', 'pair' || g, 'x' from generate_series(1, ${PAIRS}) g;
  insert into members (conversation_id, account_id, joined_at)
    select g, 2 * g - 1, 'x' from generate_series(1, ${PAIRS}) g union all select g, 2 * g, 'x' from generate_series(1, ${PAIRS}) g`;

// One statement stores a batch with its deliveries, one acknowledges it, as the message path's
// storeMany and acknowledgeMany do (simplified: no send keys, every message dropped).
const STORE_POSTGRES = `with stored as (
    insert into messages (conversation_id, sender_id, body, type, sent_at, created_at, updated_at)
    select c, 2 * c - 1, 'a message of the bench, number ' || n, 'text', $3 || n, 'x', 'x'
    from unnest($1::bigint[], $2::bigint[]) as input (c, n) returning id, conversation_id)
  insert into deliveries (message_id, recipient_id) select id, 2 * conversation_id from stored`;
const ACKNOWLEDGE_POSTGRES = `with target as (
    select messages.id, messages.conversation_id from unnest($1::bigint[], $2::bigint[]) as input (c, n)
    cross join lateral (select messages.id, messages.conversation_id from messages
      where messages.conversation_id = input.c and messages.sent_at = $3 || input.n order by messages.id limit 1) as messages
  ), removed as (
    delete from deliveries using target where deliveries.message_id = target.id and deliveries.recipient_id = 2 * target.conversation_id
    returning deliveries.message_id
  ), marked as (
    update members set last_received_at = 'received' from target where members.conversation_id = target.conversation_id and members.account_id = 2 * target.conversation_id
  )
  delete from messages using removed where messages.id = removed.message_id`;

/** Microseconds of wall time per message, WRITERS connections writing at once. */
async function postgresCycle(databaseUrl: string, mode: Mode, round: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      if (mode === 'constraints off') await client.query('set session_replication_role = replica');
      return client;
    }),
  );
  const perWriter = PAIRS / WRITERS;
  const started = process.hrtime.bigint();
  await Promise.all(
    clients.map(async (client, w) => {
      for (let i = 0; i < MESSAGES / WRITERS; i += BATCH) {
        const conversations = Array.from({ length: BATCH }, (_, k) => 1 + w * perWriter + ((i + k) % perWriter));
        const numbers = Array.from({ length: BATCH }, (_, k) => i + k);
        const tag = `${round}${mode}`;
        await client.query({ name: 'store', text: STORE_POSTGRES, values: [conversations, numbers, tag] });
        await client.query({ name: 'acknowledge', text: ACKNOWLEDGE_POSTGRES, values: [conversations, numbers, tag] });
      }
    }),
  );
  const micros = Number(process.hrtime.bigint() - started) / 1000 / MESSAGES;
  await clients[0]!.query('vacuum messages, deliveries, members');
  await Promise.all(clients.map((client) => client.end()));
  return micros;
}

async function main(): Promise<void> {
  const results = new Map<Mode, number[]>(MODES.map((mode) => [mode, []]));
  if (values.postgres) {
    const database = await createDatabase(`parley_constraints_${Date.now()}`);
    try {
      await migrated(database.url, os.tmpdir());
      const seed = new pg.Client({ connectionString: database.url });
      await seed.connect();
      await seed.query(SEED_POSTGRES);
      await seed.end();
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const mode of MODES) results.get(mode)!.push(await postgresCycle(database.url, mode, round));
      }
    } finally {
      await database.drop();
    }
  } else {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-constraints-'));
    try {
      await migrated(undefined, dataDir);
      const file = path.join(dataDir, 'parley.sqlite3');
      seedSqlite(file);
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const mode of MODES) results.get(mode)!.push(sqliteCycle(file, mode));
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const best = (mode: Mode) => Math.min(...results.get(mode)!);
  console.log(`${values.postgres ? 'PostgreSQL' : 'SQLite'}: ${MESSAGES} personal messages stored and acknowledged in batches of ${BATCH}`);
  for (const mode of MODES) console.log(`  ${mode}: ${results.get(mode)!.map((micros) => micros.toFixed(1)).join(', ')} µs a message`);
  console.log(`  the constraints' share: ${(100 * (1 - best('constraints off') / best('as Parley runs'))).toFixed(0)}% of the store's time (best of ${ROUNDS} each)`);
}

await main();
