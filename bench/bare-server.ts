// The ceiling: a bare `ws` server with no application logic, on the same machine and in the same
// run as Parley. /room/<id> broadcasts every frame to every socket of that room (including the
// sender, as a Parley room does), /echo sends every frame back, and GET /history answers a fixed
// page the size of a Parley history page, for the HTTP ceiling.
import http from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';

const port = Number(process.env.BARE_PORT ?? 0);
const historyBody = process.env.BARE_HISTORY_BODY ?? '{}';

const rooms = new Map<string, Set<WebSocket>>();
const server = http.createServer((request, response) => {
  if (request.url?.startsWith('/history')) {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(historyBody);
    return;
  }
  response.writeHead(request.url === '/readyz' ? 200 : 404).end();
});
const wss = new WebSocketServer({ server });

wss.on('connection', (socket, request) => {
  const path = request.url ?? '/';
  if (path === '/echo') {
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
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

server.listen(port, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ type: 'listening', port: typeof address === 'object' && address ? address.port : port });
});
process.on('SIGTERM', () => process.exit(0));
