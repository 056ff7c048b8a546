// Requests Node's parser refuses before Fastify sees them (a request line or headers over the
// 16 KiB limit, bytes that are not HTTP, a request too slow to arrive): the answer is Fastify's
// own, but the connection is closed gracefully. Node and Fastify destroy the socket right after
// writing the answer; with the rest of the client's request still unread, the kernel then resets
// the connection and the client may lose the answer before reading it. Here the server ends its
// side and reads and discards what is still coming, for a bounded time (nginx's lingering close).
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** How long a refused connection is read from and discarded before it is destroyed. */
export const LINGER_MS = 5_000;

/** Sockets already answered: the parser reports its error again for every later chunk. */
const answered = new WeakSet<Socket>();

function answer(code: string | undefined): { status: number; message: string; label: string } {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return { status: 408, message: 'Client Timeout', label: 'timeout' };
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, message: 'Exceeded maximum allowed HTTP header size', label: 'header_overflow' };
  }
  return { status: 400, message: 'Client Error', label: 'error' };
}

/** Fastify's `clientErrorHandler`: the same status and body as its default, then a lingering close. */
export function answerClientError(this: FastifyInstance, error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  const { status, message, label } = answer(error.code);
  this.log.trace({ err: error }, `client ${label}`);
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = `{"error":"${reason}","message":"${message}","statusCode":${status}}`;
  if (socket.writable) {
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${body.length}\r\nContent-Type: application/json\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  // The parser keeps consuming (and dropping) what arrives; the socket closes when the client
  // closes its side, or here at the deadline.
  const deadline = setTimeout(() => socket.destroy(), LINGER_MS).unref();
  socket.once('close', () => clearTimeout(deadline));
  socket.once('end', () => socket.destroy());
}
