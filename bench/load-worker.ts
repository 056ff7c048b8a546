// One load-generating client process, driven by the runner over IPC. It holds its sockets
// across steps; each step resets its counters and answers with counts and a latency histogram.
// Send times travel inside message bodies (`@<wall-clock ms>@`), so latency is measured from the
// sender's send() to the receiver's 'message' event, across processes.
import http from 'node:http';
import WebSocket from 'ws';
import { Histogram, wallClockMs } from './stats.js';
import type { Command, FetchSocketResult, PersonalUser, StepResult, WorkerReply } from './protocol.js';

const sockets: WebSocket[] = [];
let onFrame: (index: number, text: string) => void = () => undefined;

/** Histograms and counts of the step in progress. */
let latency = new Histogram();
let secondary = new Histogram();
let sent = 0;
let received = 0;
let errors = 0;
let bytes = 0;

const PADDING = 'x'.repeat(80);

function resetStep(): void {
  latency = new Histogram();
  secondary = new Histogram();
  sent = 0;
  received = 0;
  errors = 0;
  bytes = 0;
}

function stepResult(): StepResult {
  return { sent, received, errors, bytes, latency: latency.counts, secondary: secondary.counts };
}

function stampedBody(): string {
  return `@${wallClockMs().toFixed(3)}@${PADDING}`;
}

/** The send time embedded in a frame, or undefined when the frame carries none. */
function stampOf(text: string): number | undefined {
  const start = text.indexOf('@');
  if (start < 0) return undefined;
  const end = text.indexOf('@', start + 1);
  return end < 0 ? undefined : Number(text.slice(start + 1, end));
}

async function connect(command: Extract<Command, { op: 'connect' }>): Promise<{ opened: number; failed: number; ms: number }> {
  const started = performance.now();
  let next = 0;
  let opened = 0;
  let failed = 0;
  const openOne = (spec: { url: string }, index: number): Promise<void> =>
    new Promise((resolve) => {
      const localAddress = command.localAddresses[index % command.localAddresses.length];
      const socket = new WebSocket(spec.url, { localAddress, perMessageDeflate: false });
      socket.on('message', (data) => onFrame(index, data.toString()));
      socket.once('open', () => {
        opened += 1;
        sockets[index] = socket;
        resolve();
      });
      socket.once('error', () => {
        failed += 1;
        resolve();
      });
      socket.once('close', () => resolve());
    });
  const base = sockets.length;
  const lanes = Array.from({ length: Math.min(command.concurrency, command.sockets.length) }, async () => {
    while (next < command.sockets.length) {
      const i = next++;
      const spec = command.sockets[i];
      if (spec) await openOne(spec, base + i);
    }
  });
  await Promise.all(lanes);
  return { opened, failed, ms: performance.now() - started };
}

/** Sends `rate` messages a second, spread over the senders, regardless of replies (open loop). */
function openLoop(rate: number, durationMs: number, sendOne: (n: number) => void): Promise<void> {
  return new Promise((resolve) => {
    const started = performance.now();
    let count = 0;
    const timer = setInterval(() => {
      const elapsed = Math.min(performance.now() - started, durationMs);
      const due = Math.floor((elapsed * rate) / 1000);
      while (count < due) sendOne(count++);
      if (elapsed >= durationMs) {
        clearInterval(timer);
        resolve();
      }
    }, 2);
  });
}

const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function fanout(command: Extract<Command, { op: 'fanout' }>): Promise<StepResult> {
  resetStep();
  onFrame = (_index, text) => {
    const stamp = stampOf(text);
    if (stamp === undefined) {
      errors += 1;
      return;
    }
    received += 1;
    bytes += text.length;
    latency.record(wallClockMs() - stamp);
  };
  const pad = command.padding > 0 ? { pad: 'p'.repeat(command.padding) } : {};
  await openLoop(command.rate, command.durationMs, (n) => {
    const socket = sockets[command.senders[n % command.senders.length] ?? 0];
    if (socket?.readyState !== WebSocket.OPEN) return;
    socket.send(JSON.stringify({ action: 'send_message', message: stampedBody(), ...pad }));
    sent += 1;
  });
  await settle(command.settleMs);
  return stepResult();
}

/** A unique instant per message: the message counter as microseconds after a fixed base. */
function uniqueInstant(counter: number): string {
  const ms = Date.UTC(2026, 0, 1) + Math.floor(counter / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(counter % 1000).padStart(3, '0')}Z`;
}

let instantCounter = 0;

async function personal(command: Extract<Command, { op: 'personal' }>): Promise<StepResult> {
  resetStep();
  const users = command.users;
  const byRx = new Map<number, PersonalUser>(users.map((u) => [u.rx, u]));
  const sentAt = new Map<string, number>();
  onFrame = (index, text) => {
    bytes += text.length;
    const frame = JSON.parse(text) as Record<string, string>;
    const user = byRx.get(index);
    if (frame.command === 'new_msg' && user) {
      const stamp = stampOf(frame.message ?? '');
      if (stamp !== undefined) latency.record(wallClockMs() - stamp);
      received += 1;
      sockets[user.tx]?.send(
        JSON.stringify({ command: 'msg_received', message: frame.sent_timestamp, msg_from: user.phone, msg_to: frame.msg_from, sent_timestamp: frame.sent_timestamp }),
      );
    } else if (frame.command === 'msg_sent') {
      const at = sentAt.get(frame.message ?? '');
      if (at !== undefined) secondary.record(wallClockMs() - at);
    } else if (frame.command === 'msg_received' && user) {
      // The sender's receipt: the message went the whole way round.
      sentAt.delete(frame.message ?? '');
    } else if (frame.command === 'error') errors += 1;
  };
  await openLoop(command.rate, command.durationMs, (n) => {
    const user = users[n % users.length];
    if (!user) return;
    const socket = sockets[user.tx];
    if (socket?.readyState !== WebSocket.OPEN) return;
    const ref = uniqueInstant(instantCounter++);
    sentAt.set(ref, wallClockMs());
    socket.send(JSON.stringify({ command: 'new_msg', message: stampedBody(), msg_from: user.phone, msg_to: user.peerPhone, sent_timestamp: ref }));
    sent += 1;
  });
  await settle(command.settleMs);
  const result = stepResult();
  // Messages whose receipt never came back.
  result.unacknowledged = sentAt.size;
  return result;
}

async function httpLoad(command: Extract<Command, { op: 'http' }>): Promise<StepResult> {
  resetStep();
  const agent = new http.Agent({ keepAlive: true, maxSockets: command.concurrency });
  const deadline = performance.now() + command.durationMs;
  const url = new URL(command.url);
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const request = http.request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, headers: command.headers, agent, localAddress: command.localAddress },
        (response) => {
          response.on('data', () => undefined);
          response.on('end', () => {
            if (response.statusCode === 200) {
              received += 1;
              latency.record(performance.now() - started);
            } else errors += 1;
            resolve();
          });
        },
      );
      request.on('error', () => {
        errors += 1;
        resolve();
      });
      request.end();
      sent += 1;
    });
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (performance.now() < deadline) await once();
    }),
  );
  agent.destroy();
  return stepResult();
}

/** Opens one receive socket, asks for everything pending and reads until the last chunk or a close. */
function fetchOnce(url: string, phone: string, localAddress: string): Promise<FetchSocketResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const seen = new Set<string>();
    const result: FetchSocketResult = { messages: 0, distinct: 0, chunks: 0, complete: false, closeCode: null, ms: 0 };
    const socket = new WebSocket(url, { localAddress, perMessageDeflate: false });
    const finish = (): void => {
      result.distinct = seen.size;
      result.ms = performance.now() - started;
      resolve(result);
    };
    socket.once('open', () => socket.send(JSON.stringify({ command: 'fetch_msgs', msg_to: phone })));
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { command?: string; messages?: string; all?: boolean };
      if (frame.command !== 'fetch_msgs' || typeof frame.messages !== 'string') return;
      const items = JSON.parse(frame.messages) as Array<{ sent_timestamp: string }>;
      result.chunks += 1;
      result.messages += items.length;
      for (const item of items) seen.add(item.sent_timestamp);
      if (frame.all === true) {
        result.complete = true;
        socket.close();
      }
    });
    socket.once('close', (code) => {
      if (!result.complete) result.closeCode = code;
      finish();
    });
    socket.once('error', () => undefined);
  });
}

async function handle(command: Command): Promise<unknown> {
  switch (command.op) {
    case 'connect':
      return connect(command);
    case 'fanout':
      return fanout(command);
    case 'personal':
      return personal(command);
    case 'http':
      return httpLoad(command);
    case 'fetch':
      return Promise.all(command.urls.map((url) => fetchOnce(url, command.phone, command.localAddress)));
    case 'close': {
      onFrame = () => undefined;
      const closed = sockets.splice(0).map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.readyState === WebSocket.CLOSED) return resolve();
            socket.once('close', () => resolve());
            socket.terminate();
          }),
      );
      await Promise.all(closed);
      return { closed: closed.length };
    }
  }
}

process.on('message', (command: Command) => {
  handle(command).then(
    (result) => process.send?.({ ok: true, result } satisfies WorkerReply),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack ?? error.message : String(error) } satisfies WorkerReply),
  );
});
