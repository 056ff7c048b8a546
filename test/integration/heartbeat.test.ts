// The heartbeat (PARLEY_HEARTBEAT_SECONDS, here 2 s): every socket is pinged once a period, the
// sockets' pings spread over the period instead of all at once, and a socket that answers no
// ping is dropped while one that answers stays.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, type User } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PERIOD_MS = 2000;
const SOCKETS = 60;

let server: TestServer;
let user: User;
beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: PERIOD_MS / 1000 });
  user = await signup(server);
});
afterAll(async () => {
  await server.close();
});

function openSocket(options: { autoPong?: boolean } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/ws/chat/special/${user.phone}/?token=${user.token}`, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('the heartbeat', () => {
  it('pings each socket within a period, the sockets spread over it', async () => {
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, () => openSocket()));
    const opened = performance.now();
    try {
      const firstPings = await Promise.all(
        sockets.map((ws) => new Promise<number>((resolve) => ws.once('ping', () => resolve(performance.now() - opened)))),
      );
      firstPings.sort((a, b) => a - b);
      expect(firstPings.at(-1)).toBeLessThan(PERIOD_MS + 500);
      // Pinged at once, all 60 would fall in one moment; spread, a tick's share does.
      expect(firstPings.at(-1)! - firstPings[0]!).toBeGreaterThan(PERIOD_MS / 2);
      const busiest = Math.max(...firstPings.map((at) => firstPings.filter((other) => other >= at && other < at + 100).length));
      expect(busiest).toBeLessThanOrEqual(SOCKETS / 4);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  it('drops a socket that answers no ping and keeps one that does', async () => {
    const silent = await openSocket({ autoPong: false });
    const answering = await openSocket();
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve) => silent.once('close', () => resolve(performance.now() - started)));
    // Pinged within a period, found silent at the next ping, a period later.
    expect(closedAfter).toBeGreaterThan(PERIOD_MS - 500);
    expect(closedAfter).toBeLessThan(2 * PERIOD_MS + 500);
    await new Promise((resolve) => setTimeout(resolve, PERIOD_MS));
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.terminate();
  });
});
