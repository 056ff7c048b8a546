// Requests Node's HTTP parser refuses (over-long request lines and headers, bytes that are not
// HTTP) are answered with Fastify's status and body, then the connection is closed gracefully:
// the client reads the answer even while it is still sending, and a client that never closes
// is cut off at the deadline.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINGER_MS } from '../../src/http/client-error.js';
import { startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** A URL well over Node's 16 KiB limit for the request line and headers. */
const longPath = (): string => `/chat/room/x/?limit=${'9'.repeat(46_000)}`;

interface RawAnswer {
  text: string;
  /** How the server ended the connection: a FIN ('end') or a reset ('error'). */
  ending: 'end' | 'error';
  afterMs: number;
}

/**
 * Writes `chunks` over a plain TCP socket, one per tick, and reads until the server ends it.
 * `holdOpen`: the client keeps its side open and goes on sending a byte now and then, so the
 * connection ends only when the server drops it (the write then fails).
 */
function raw(chunks: string[], options: { holdOpen?: boolean } = {}): Promise<RawAnswer> {
  const { port } = new URL(server.url);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ host: '127.0.0.1', port: Number(port), allowHalfOpen: options.holdOpen ?? false });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const settle = (ending: RawAnswer['ending']): void => {
      resolve({ text, ending, afterMs: Date.now() - started });
      socket.destroy();
    };
    socket.once('end', () => {
      if (!options.holdOpen) settle('end');
    });
    socket.once('close', () => settle('end'));
    socket.once('error', () => settle('error'));
    // Reads only after a pause: the answer waits in the client's buffer, where a reset would drop it.
    socket.pause();
    setTimeout(() => socket.resume(), 50);
    socket.once('connect', async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        socket.write(chunk);
        await new Promise((next) => setImmediate(next));
      }
      while (options.holdOpen && !socket.destroyed) {
        socket.write('.');
        await new Promise((next) => setTimeout(next, 100));
      }
    });
  });
}

describe('requests the HTTP parser refuses', () => {
  it('answers every over-long URL with 431, however the client sends it', async () => {
    for (let round = 0; round < 100; round += 1) {
      const response = await fetch(`${server.url}${longPath()}&round=${round}`);
      expect(response.status).toBe(431);
      expect(await response.json()).toEqual({
        error: 'Request Header Fields Too Large',
        message: 'Exceeded maximum allowed HTTP header size',
        statusCode: 431,
      });
    }
  });

  it('answers 431 with Connection: close and a FIN while the client is still sending', async () => {
    const answer = await raw([`GET / HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(400_000)}`]);
    expect(answer.text).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(answer.text.endsWith('"statusCode":431}')).toBe(true);
    expect(answer.ending).toBe('end');
    expect(answer.text).toContain('\r\nConnection: close\r\n');
  });

  it('answers bytes that are not HTTP with 400 and closes, the server still answering others', async () => {
    const answer = await raw(['\x16\x03\x01 not http at all\r\n\r\n', 'more'.repeat(10_000)]);
    expect(answer.ending).toBe('end');
    expect(answer.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(answer.text.endsWith('{"error":"Bad Request","message":"Client Error","statusCode":400}')).toBe(true);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('cuts off a refused client that never closes its side, at the deadline', async () => {
    const answer = await raw([`GET ${longPath()} HTTP/1.1\r\n`], { holdOpen: true });
    expect(answer.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer.ending).toBe('error');
    expect(answer.afterMs).toBeGreaterThanOrEqual(LINGER_MS - 100);
    expect(answer.afterMs).toBeLessThan(LINGER_MS + 2_000);
  }, LINGER_MS + 5_000);
});
