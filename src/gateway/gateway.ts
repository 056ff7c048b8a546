// The WebSocket side of the one port: matches the upgrade path to a dialect's route,
// authenticates it, keeps the registry of live sockets, pings them, and drains them on shutdown.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Core } from '../core/core.js';
import { keyFromUpgrade } from '../http/credentials.js';
import { requestOrigin } from '../http/origin.js';
import type { Metrics } from '../metrics.js';
import type { AccountRecord } from '../store/records.js';
import { Connection } from './connection.js';
import { CLOSE, DRAIN_TIMEOUT_MS, HEARTBEAT_MS, MAX_PAYLOAD_BYTES } from './limits.js';
import { Registry } from './registry.js';
import { SocketRefusal, type SocketRoute, type SocketSession } from './session.js';

export interface GatewayLogger {
  error(details: object, message: string): void;
}

export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES });
  private readonly registry: Registry;
  private readonly routes: SocketRoute[] = [];
  private readonly connections = new Set<Connection>();
  private readonly heartbeat: NodeJS.Timeout;
  private draining = false;

  constructor(
    private readonly core: Core,
    private readonly log: GatewayLogger,
    private readonly metrics: Metrics,
    /** PARLEY_PUBLIC_URL: Parley's own origin, which a socket authenticated by cookie must come from. */
    private readonly publicUrl: string | undefined,
  ) {
    this.registry = new Registry(core.bus);
    this.heartbeat = setInterval(() => this.ping(), HEARTBEAT_MS).unref();
    metrics.countOpenSockets(() => {
      const counts = new Map<string, number>(this.routes.map((route) => [route.dialect, 0]));
      for (const connection of this.connections) counts.set(connection.dialect, (counts.get(connection.dialect) ?? 0) + 1);
      return counts;
    });
  }

  route(route: SocketRoute): void {
    this.routes.push(route);
    this.metrics.serveDialect(route.dialect);
  }

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(request, socket, head).catch((error: unknown) => {
        this.log.error({ err: error }, 'websocket upgrade failed');
        socket.destroy();
      });
    });
  }

  get openSockets(): number {
    return this.connections.size;
  }

  /**
   * Refuses new sockets, lets each open one finish the frames it already sent (so every committed
   * message gets its acknowledgement), then closes it with 1001 (going away).
   */
  async close(): Promise<void> {
    this.draining = true;
    clearInterval(this.heartbeat);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, DRAIN_TIMEOUT_MS).unref());
    await Promise.all(
      [...this.connections].map(async (connection) => {
        await Promise.race([connection.drain(), timeout]);
        connection.close(CLOSE.goingAway, 'server shutting down');
      }),
    );
    this.wss.close();
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // The Host header gives dialects the address the client used (for absolute URLs in frames).
    let url: URL;
    try {
      url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'parley.invalid'}`);
    } catch {
      url = new URL(request.url ?? '/', 'http://parley.invalid');
    }
    let match: { route: SocketRoute; params: string[] } | undefined;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m) {
        const params = decodedParams(m.slice(1));
        if (!params) {
          socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
          return;
        }
        match = { route, params };
        break;
      }
    }
    if (!match || this.draining) {
      socket.end(`HTTP/1.1 ${match ? '503 Service Unavailable' : '404 Not Found'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const account = await this.authenticate(request, url);
    if (socket.destroyed) return;
    const ws = await new Promise<WebSocket>((resolve) => this.wss.handleUpgrade(request, socket, head, resolve));
    if (!account) {
      ws.close(CLOSE.unauthenticated, 'authentication required');
      return;
    }
    await this.open(ws, account, match.route, match.params, url);
  }

  private async authenticate(request: IncomingMessage, url: URL): Promise<AccountRecord | undefined> {
    const presented = keyFromUpgrade(request.headers, url);
    if (!presented) return undefined;
    // A cookie rides along with any request the browser makes: a socket authenticated by cookie
    // must come from a page of this server (cross-site WebSocket hijacking).
    if (presented.source === 'cookie' && requestOrigin(request.headers, this.publicUrl) !== 'own') return undefined;
    return this.core.accounts.authenticate(presented.key);
  }

  private async open(ws: WebSocket, account: AccountRecord, route: SocketRoute, params: string[], url: URL): Promise<void> {
    const connection = new Connection(ws, account, route.dialect, this.metrics, (error) =>
      this.log.error({ err: error }, 'socket frame failed'),
    );
    const topics = new Set<string>();
    // Frames that arrive while the session opens wait in the connection's inbox.
    ws.on('message', (data) => connection.receive(data.toString()));
    ws.on('pong', () => {
      connection.alive = true;
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      this.connections.delete(connection);
      for (const topic of topics) this.registry.unsubscribe(connection, topic);
      this.core.presence.disconnected(account.id);
      connection.session?.onClose?.();
    });
    this.connections.add(connection);
    this.core.presence.connected(account.id);
    let session: SocketSession | undefined;
    try {
      session = await route.open({
        connection,
        account,
        params,
        url,
        subscribe: async (topic) => {
          if (!connection.open || topics.has(topic)) return;
          topics.add(topic);
          await this.registry.subscribe(connection, topic);
        },
      });
    } catch (error) {
      if (error instanceof SocketRefusal) connection.close(error.code, error.message);
      else {
        this.log.error({ err: error }, 'socket session failed to open');
        connection.close(CLOSE.tryAgainLater, 'try again later');
      }
    } finally {
      connection.begin(session);
    }
  }

  private ping(): void {
    for (const connection of this.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }
}

/** Path segments percent-decoded, or undefined when one is not a valid escape sequence. */
function decodedParams(raw: readonly string[]): string[] | undefined {
  try {
    return raw.map((segment) => decodeURIComponent(segment));
  } catch {
    return undefined;
  }
}
