// The process's logger: JSON lines (pino), with credentials taken out of every URL and header
// before anything is written.
import type { IncomingMessage } from 'node:http';
import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config.js';

const REDACTED = '[redacted]';
/** Query parameters that carry a credential (`?token=` on socket URLs). */
const CREDENTIAL_PARAMETER = /([?&](?:token|access_token)=)[^&#]*/gi;

export function redactUrl(url: string): string {
  return url.replace(CREDENTIAL_PARAMETER, `$1${REDACTED}`);
}

/** What Fastify's request serializer keeps of a request, with the URL redacted. */
function requestValue(request: IncomingMessage & { ip?: string; host?: string }): Record<string, unknown> {
  return {
    method: request.method,
    url: redactUrl(request.url ?? ''),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      serializers: { req: requestValue },
      // Headers are not logged today; should any log line carry them, these never show.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', 'res.headers["set-cookie"]'],
        censor: REDACTED,
      },
    },
    destination,
  );
}
