// What operators read: /healthz, /readyz and /metrics.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, signup } from '../support/clients.js';
import { openDialogue, personalSocket, receiveSocket, sendPersonal } from '../support/phone.js';
import { startTestServer, type TestServer } from '../support/server.js';

const METRICS_TOKEN = 'operations-metrics-token';
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ metricsToken: METRICS_TOKEN });
});
afterAll(async () => {
  await server.close();
});

async function metrics(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The value of one sample line, e.g. value(text, 'parley_open_sockets{dialect="phone"}'). */
function value(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line === undefined ? Number.NaN : Number(line.slice(sample.length + 1));
}

describe('health and readiness', () => {
  it('/healthz says the process is alive, /readyz that the store and the bus answer', async () => {
    expect(await request(server, 'GET', '/healthz')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await request(server, 'GET', '/readyz')).toMatchObject({ status: 200, body: { status: 'ready', store: true, bus: true } });
  });
});

describe('/metrics', () => {
  it('counts open sockets per dialect, frames in and out, stored messages and deliveries', async () => {
    const before = await metrics();
    const a = await signup(server);
    const b = await signup(server);
    await openDialogue(server, a, b);
    const bRecv = await receiveSocket(server, b);
    const aSend = await personalSocket(server, a, b);
    await sendPersonal(aSend, a, b, 'counted', '2021-01-20T10:00:00Z');
    await bRecv.next();

    const during = await metrics();
    expect(value(during, 'parley_open_sockets{dialect="phone"}')).toBe(value(before, 'parley_open_sockets{dialect="phone"}') + 2);
    expect(value(during, 'parley_open_sockets{dialect="rooms"}')).toBe(0);
    const framesIn = (text: string): number => value(text, 'parley_frames_in_total{dialect="phone"}') || 0;
    const framesOut = (text: string): number => value(text, 'parley_frames_out_total{dialect="phone"}') || 0;
    // The receive socket's readiness fetch and the new_msg in; its answer, msg_sent and the delivery out.
    expect(framesIn(during) - framesIn(before)).toBe(2);
    expect(framesOut(during) - framesOut(before)).toBe(3);
    expect(value(during, 'parley_messages_stored_total') - (value(before, 'parley_messages_stored_total') || 0)).toBe(1);
    expect(value(during, 'parley_deliveries_total') - (value(before, 'parley_deliveries_total') || 0)).toBe(1);

    await aSend.close();
    await bRecv.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(value(await metrics(), 'parley_open_sockets{dialect="phone"}')).toBe(value(before, 'parley_open_sockets{dialect="phone"}'));
  });

  it('has store and bus latency histograms with consistent buckets', async () => {
    const text = await metrics();
    expect(text).toContain('# TYPE parley_store_seconds histogram');
    expect(text).toContain('# TYPE parley_bus_seconds histogram');
    const count = value(text, 'parley_store_seconds_count{operation="insertAccount"}');
    expect(count).toBeGreaterThan(0);
    expect(value(text, 'parley_store_seconds_bucket{operation="insertAccount",le="+Inf"}')).toBe(count);
    expect(value(text, 'parley_bus_seconds_count')).toBeGreaterThan(0);
  });
});
