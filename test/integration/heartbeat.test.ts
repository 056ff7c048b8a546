// The heartbeat (PARLEY_HEARTBEAT_SECONDS, here 2 s): every socket is pinged once a period, a
// round of more sockets than one event-loop turn pings included, and a socket that answers no
// ping is dropped while one that answers stays.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEARTBEAT_CHUNK } from '../../src/gateway/limits.js';
import { signup, type User } from '../support/clients.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PERIOD_MS = 2000;
const SOCKETS = HEARTBEAT_CHUNK + 44;

let server: TestServer;
let user: User;
beforeAll(async () => {
  server = await startTestServer({ heartbeatSeconds: PERIOD_MS / 1000 });
  user = await signup(server);
});
afterAll(async () => {
  await server.close();
});

function openSocket(owner: User, options: { autoPong?: boolean } = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.wsUrl}/ws/chat/special/${owner.phone}/?token=${owner.token}`, options);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('the heartbeat', () => {
  it('pings every socket once a period, in rounds larger than one event-loop turn', async () => {
    // More sockets than HEARTBEAT_CHUNK, so that a round takes several turns to finish; 100 a user.
    const users = [user, ...(await Promise.all(Array.from({ length: Math.ceil(SOCKETS / 100) - 1 }, () => signup(server))))];
    const sockets = await Promise.all(Array.from({ length: SOCKETS }, (_, i) => openSocket(users[i % users.length]!)));
    const opened = performance.now();
    try {
      const pings = sockets.map(() => [] as number[]);
      sockets.forEach((ws, i) => ws.on('ping', () => pings[i]!.push(performance.now() - opened)));
      await new Promise((resolve) => setTimeout(resolve, 2 * PERIOD_MS + 600));
      for (const times of pings) {
        expect(times.length).toBeGreaterThanOrEqual(2);
        expect(times[0]).toBeLessThan(PERIOD_MS + 500);
        expect(times[1]! - times[0]!).toBeGreaterThan(PERIOD_MS - 200);
      }
      expect(sockets.every((ws) => ws.readyState === WebSocket.OPEN)).toBe(true);
    } finally {
      for (const ws of sockets) ws.terminate();
    }
  });

  it('drops a socket that answers no ping and keeps one that does', async () => {
    const silent = await openSocket(user, { autoPong: false });
    const answering = await openSocket(user);
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
