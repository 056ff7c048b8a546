// What operators read: /healthz, /readyz and /metrics (parsed as Prometheus text).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { scrape, type Scrape } from '../support/metrics.js';
import { openDialogue, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { createRoom, roomSocket, roomsUser } from '../support/rooms.js';
import { startTestServer, type TestServer } from '../support/server.js';

const METRICS_TOKEN = 'operations-metrics-token';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ metricsToken: METRICS_TOKEN });
});
afterAll(async () => {
  await server.close();
});

async function metrics(): Promise<Scrape> {
  const { contentType, metrics } = await scrape(server, METRICS_TOKEN);
  expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  return metrics;
}

/** How much a series with these labels grew between two scrapes (a missing one counts as 0). */
function growth(before: Scrape, after: Scrape, name: string, labels: Record<string, string> = {}): number {
  return (after.value(name, labels) ?? 0) - (before.value(name, labels) ?? 0);
}

describe('health and readiness', () => {
  it('/healthz says the process is alive, /readyz that the store and the bus answer', async () => {
    expect(await request(server, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await request(server, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', store: true, bus: true } });
  });
});

describe('/metrics', () => {
  it('has a series per dialect for frames and sockets before any socket opened, none without a dialect', async () => {
    const text = await metrics();
    for (const name of ['parley_frames_in_total', 'parley_frames_out_total', 'parley_open_sockets']) {
      expect(text.families.get(name)?.help).toMatch(/by dialect/);
      expect(text.samples(name).map((s) => s.labels).sort((a, b) => String(a.dialect).localeCompare(String(b.dialect)))).toEqual([
        { dialect: 'phone' },
        { dialect: 'rooms' },
      ]);
    }
  });

  it('counts sockets, frames, messages of every kind and deliveries, and times nested store calls', async () => {
    const before = await metrics();
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const bRecv = await receiveSocket(server, b);
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'counted', '2021-01-20T10:00:00Z');
    await bRecv.next();
    const ann = await roomsUser(server, 'Ann', 'A');
    const bob = await roomsUser(server, 'Bob', 'B');
    const roomId = await createRoom(server, ann, [bob]);
    const annRoom = await roomSocket(server, roomId, ann);
    annRoom.send({ action: 'send_message', message: 'counted too' });
    await annRoom.take((frame) => frame.message === 'counted too');

    const during = await metrics();
    expect(growth(before, during, 'parley_open_sockets', { dialect: 'phone' })).toBe(2);
    expect(growth(before, during, 'parley_open_sockets', { dialect: 'rooms' })).toBe(1);
    // Phone: the receive socket's readiness fetch and the new_msg in; its answer, msg_sent and
    // the delivery out. Rooms: the readiness probe and send_message in; its error and the echo out.
    expect(growth(before, during, 'parley_frames_in_total', { dialect: 'phone' })).toBe(2);
    expect(growth(before, during, 'parley_frames_out_total', { dialect: 'phone' })).toBe(3);
    expect(growth(before, during, 'parley_frames_in_total', { dialect: 'rooms' })).toBe(2);
    expect(growth(before, during, 'parley_frames_out_total', { dialect: 'rooms' })).toBe(2);
    expect(growth(before, during, 'parley_messages_stored_total', { kind: 'dialogue' })).toBe(1);
    expect(growth(before, during, 'parley_messages_stored_total', { kind: 'room' })).toBe(1);
    expect(growth(before, during, 'parley_deliveries_total')).toBe(1);

    // Top-level and nested store operations, each a consistent histogram series.
    for (const operation of ['messages.insert', 'conversations.createRoom', 'accounts.insert']) {
      expect(growth(before, during, 'parley_store_seconds_count', { operation })).toBeGreaterThanOrEqual(1);
      expect(during.value('parley_store_seconds_bucket', { operation, le: '+Inf' })).toBe(during.value('parley_store_seconds_count', { operation }));
      expect(during.value('parley_store_seconds_sum', { operation })).toBeGreaterThan(0);
    }

    await Promise.all([aSend.close(), bRecv.close(), annRoom.close()]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const after = await metrics();
    expect(growth(before, after, 'parley_open_sockets', { dialect: 'phone' })).toBe(0);
    expect(growth(before, after, 'parley_open_sockets', { dialect: 'rooms' })).toBe(0);
  });

  it('exports the process: CPU, memory, heap, GC and event-loop lag', async () => {
    const text = await metrics();
    expect(text.families.get('process_cpu_seconds_total')?.type).toBe('counter');
    expect(text.value('process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(text.value('process_resident_memory_bytes')).toBeGreaterThan(1024 * 1024);
    expect(text.value('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(text.families.get('nodejs_gc_duration_seconds')?.type).toBe('histogram');
    for (const lag of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(text.families.get(lag)?.type).toBe('gauge');
      expect(text.value(lag)).toBeGreaterThanOrEqual(0);
    }
  });

  it('stores a room message with its mention and notification in one group-committed write, and reads nothing back', async () => {
    const ann = await roomsUser(server, 'Ann', 'A');
    const bob = await roomsUser(server, 'Bob', 'B');
    const roomId = await createRoom(server, ann, [bob]);
    const annRoom = await roomSocket(server, roomId, ann);
    const before = await metrics();
    annRoom.send({ action: 'send_message', message: 'hello @bob', mentions: [bob.id] });
    await annRoom.take((frame) => frame.message === 'hello @bob');
    const after = await metrics();
    expect(growth(before, after, 'parley_messages_stored_total', { kind: 'room' })).toBe(1);
    expect(growth(before, after, 'parley_store_seconds_count', { operation: 'messages.insert' })).toBe(1);
    const storeCalls = after
      .samples('parley_store_seconds_count')
      .filter((sample) => growth(before, after, 'parley_store_seconds_count', { operation: String(sample.labels.operation) }) > 0)
      .map((sample) => sample.labels.operation);
    // The membership and the sender come from memory; the message is neither re-read nor annotated.
    expect(storeCalls).toEqual(['messages.insert']);
    const unread = await request(server, 'GET', '/api/notifications/unread-count/', { token: bob.token });
    expect(unread.body).toMatchObject({ unread_count: 1 });
    await annRoom.close();
  });

  it('has a bus latency histogram', async () => {
    const text = await metrics();
    expect(text.families.get('parley_bus_seconds')?.type).toBe('histogram');
    expect(text.value('parley_bus_seconds_count')).toBeGreaterThan(0);
    expect(text.value('parley_bus_seconds_bucket', { le: '+Inf' })).toBe(text.value('parley_bus_seconds_count'));
  });
});
