// The ceiling: a bare `ws` server with no application logic, on the same machine and in the same
// run as Parley. /room/<id> broadcasts every frame to every socket of that room (including the
// sender, as a Parley room does); the phone relay routes the phone dialect's frames between
// receive and personal sockets with nothing stored and nothing authenticated; GET /history and
// GET /search answer fixed bodies, Parley's own history and search pages, for the HTTP ceilings.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.BARE_PORT ?? 0);
const bodies = new Map([
  ['/history', process.env.BARE_HISTORY_BODY ?? '{}'],
  ['/search', process.env.BARE_SEARCH_BODY ?? '{}'],
]);

const rooms = new Map<string, Set<WebSocket>>();
const server = http.createServer((request, response) => {
  const body = bodies.get(request.url ?? '');
  if (body !== undefined) {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(body);
    return;
  }
  response.writeHead(request.url === '/readyz' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server });

wss.on('connection', (socket, request) => {
  const path = request.url ?? '/';
  const receive = RECEIVE_PATH.exec(path);
  if (receive) {
    relayReceiver(socket, receive[1]!);
    return;
  }
  const personal = PERSONAL_PATH.exec(path);
  if (personal) {
    relaySender(socket, personal[1]!, personal[2]!);
    return;
  }
  let members = rooms.get(path);
  if (!members) {
    members = new Set();
    rooms.set(path, members);
  }
  const room = members;
  room.add(socket);
  socket.on('message', (data, isBinary) => {
    for (const member of room) member.send(data, { binary: isBinary });
  });
  socket.on('close', () => room.delete(socket));
});

const RECEIVE_PATH = /^\/ws\/chat\/special\/(\d{10})\//;
const PERSONAL_PATH = /^\/ws\/chat\/personal\/(\d{10})\/(\d{10})\//;

/** Receive sockets by phone: where deliveries and receipts go. */
const receivers = new Map<string, Set<WebSocket>>();

function relayReceiver(socket: WebSocket, phone: string): void {
  let sockets = receivers.get(phone);
  if (!sockets) {
    sockets = new Set();
    receivers.set(phone, sockets);
  }
  const own = sockets;
  own.add(socket);
  socket.on('close', () => own.delete(socket));
}

/** The phone server's naive local timestamp, as `msg_sent` carries it. */
function naiveNow(): string {
  return new Date().toISOString().replace('T', ' ').replace('Z', '000');
}

/**
 * A personal socket, as the phone dialect's frames go: `new_msg` is answered with `msg_sent` and
 * delivered to the peer's receive sockets; `msg_received`, `msg_read` and `is_typing` are relayed
 * to the peer. The frames have the keys, in the order, that Parley writes.
 */
function relaySender(socket: WebSocket, from: string, to: string): void {
  socket.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Record<string, string>;
    const peer = receivers.get(to);
    switch (frame.command) {
      case 'new_msg':
        socket.send(JSON.stringify({ msg_from: from, msg_to: to, message: frame.sent_timestamp, command: 'msg_sent', sent_timestamp: naiveNow() }));
        deliver(peer, { message: frame.message, msg_from: from, msg_to: to, command: 'new_msg', sent_timestamp: frame.sent_timestamp });
        break;
      case 'msg_received':
      case 'msg_read':
        deliver(peer, { message: frame.message, msg_from: from, msg_to: to, command: frame.command, sent_timestamp: frame.sent_timestamp });
        break;
      case 'is_typing':
        deliver(peer, { msg_from: from, msg_to: to, command: 'is_typing', sent_timestamp: frame.sent_timestamp });
        break;
    }
  });
}

function deliver(sockets: Set<WebSocket> | undefined, frame: Record<string, string | undefined>): void {
  if (!sockets) return;
  const text = JSON.stringify(frame);
  for (const socket of sockets) socket.send(text);
}

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : port });
});
process.on('SIGTERM', () => process.exit(0));
