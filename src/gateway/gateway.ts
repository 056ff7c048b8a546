// The WebSocket side of the one port: matches the upgrade path to a dialect's route,
// authenticates it, keeps the registry of live sockets, pings them, and drains them on shutdown.
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { keyHashOf } from '../core/accounts.js';
import type { Core } from '../core/core.js';
import { textProblem } from '../core/text.js';
import { keyFromUpgrade } from '../http/credentials.js';
import { requestOrigin } from '../http/origin.js';
import type { Metrics } from '../metrics.js';
import type { AccountRecord } from '../store/records.js';
import { Connection, ConnectionSocket, type ConnectionHost } from './connection.js';
import { Heartbeat } from './heartbeat.js';
import { CLOSE, DRAIN_TIMEOUT_MS, MAX_PAYLOAD_BYTES } from './limits.js';
import { addressKey, SocketQuota, type SocketCaps } from './quota.js';
import { Registry } from './registry.js';
import { SocketRefusal, type SocketRoute, type SocketSession } from './session.js';

export interface GatewayLogger {
  error(details: object, message: string): void;
}

export class Gateway {
  // Text frames are checked for UTF-8 by the connection, which answers a bad one instead of closing.
  // The gateway keeps its own set of connections: ws's (clientTracking) would cost every socket
  // an entry and a 'close' closure more.
  private readonly wss = new WebSocketServer({
    noServer: true,
    clientTracking: false,
    WebSocket: ConnectionSocket,
    maxPayload: MAX_PAYLOAD_BYTES,
    skipUTF8Validation: true,
  });
  private readonly registry: Registry;
  private readonly routes: SocketRoute[] = [];
  private readonly connections = new Set<Connection>();
  private readonly quota: SocketQuota;
  private readonly heartbeat: Heartbeat;
  /** The gateway's side of every connection, one object for all of them. */
  private readonly host: ConnectionHost;
  private draining = false;

  constructor(
    private readonly core: Core,
    private readonly log: GatewayLogger,
    private readonly metrics: Metrics,
    /** PARLEY_PUBLIC_URL: Parley's own origin, which a socket authenticated by cookie must come from. */
    private readonly publicUrl: string | undefined,
    caps: SocketCaps,
    /** PARLEY_HEARTBEAT_SECONDS, in ms: how often each socket is pinged. */
    heartbeatMs: number,
  ) {
    this.quota = new SocketQuota(caps);
    const registry = new Registry(core.bus);
    this.registry = registry;
    this.host = {
      metrics,
      frameFailed: (error) => log.error({ err: error }, 'socket frame failed'),
      subscribe: (connection, topic) => registry.subscribe(connection, topic),
      closed: (connection) => this.closed(connection),
    };
    this.heartbeat = new Heartbeat(this.connections, heartbeatMs);
    core.accounts.onRevoked((tokenHash) => this.closeRevoked([tokenHash]));
    // Revocations may have gone unannounced: ask the store about every token in use.
    core.onCachesDropped(() => {
      this.recheckTokens().catch((error: unknown) => this.log.error({ err: error }, 'token re-check failed'));
    });
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
    this.heartbeat.stop();
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
    let match: { route: SocketRoute; params: string[] | undefined } | undefined;
    for (const route of this.routes) {
      const m = route.pattern.exec(url.pathname);
      if (m) {
        match = { route, params: pathParams(m.slice(1)) };
        break;
      }
    }
    if (!match || this.draining || !match.params) {
      const status = !match ? '404 Not Found' : this.draining ? '503 Service Unavailable' : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      return;
    }
    const params = match.params;
    const key = this.presentedKey(request, url);
    // Hashed once: the connection keeps the very string the token cache is keyed by.
    const keyHash = key === undefined ? undefined : keyHashOf(key);
    const account = keyHash === undefined ? undefined : await this.core.accounts.authenticateHash(keyHash);
    if (socket.destroyed) return;
    // The place is taken before the handshake and given back when the connection goes, however it goes.
    const address = addressKey(request.socket.remoteAddress ?? '');
    const over = account && this.quota.take(account.id, address);
    if (account && !over) this.releaseOnClose(socket, account.id, address);
    const ws = await this.handshake(request, socket, head);
    if (!account || keyHash === undefined) {
      ws.close(CLOSE.unauthenticated, 'authentication required');
      return;
    }
    if (over) {
      ws.close(CLOSE.rateLimited, over === 'account' ? 'too many sockets for this account' : 'too many sockets from this address');
      return;
    }
    await this.open(ws, account, keyHash, match.route, params, sharedOrigin(url.origin), withoutCredentials(url.searchParams));
  }

  // The one closure an open socket keeps is made apart from upgrade(): a closure there would
  // keep upgrade's whole scope, the request with its headers and its URL with the token in it.
  private releaseOnClose(socket: Duplex, accountId: number, address: string): void {
    // 'close' comes once: on() spares the wrapper once() would keep for the socket's life.
    socket.on('close', () => this.quota.release(accountId, address));
  }

  private handshake(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<ConnectionSocket> {
    return new Promise((resolve) => this.wss.handleUpgrade(request, socket, head, resolve));
  }

  private presentedKey(request: IncomingMessage, url: URL): string | undefined {
    const presented = keyFromUpgrade(request.headers, url);
    if (!presented) return undefined;
    // A cookie rides along with any request the browser makes: a socket authenticated by cookie
    // must come from a page of this server (cross-site WebSocket hijacking).
    if (presented.source === 'cookie' && requestOrigin(request.headers, this.publicUrl) !== 'own') return undefined;
    return presented.key;
  }

  /**
   * Closes every open socket opened with one of these tokens. Revocations are rare: a pass over
   * the open sockets costs less than an index of them by token, which every idle socket would hold.
   */
  private closeRevoked(tokenHashes: Iterable<string>): void {
    const revoked = new Set(tokenHashes);
    if (revoked.size === 0) return;
    for (const connection of this.connections) {
      if (revoked.has(connection.tokenHash)) connection.close(CLOSE.unauthenticated, 'token revoked');
    }
  }

  private async recheckTokens(): Promise<void> {
    const inUse = new Set<string>();
    for (const connection of this.connections) inUse.add(connection.tokenHash);
    this.closeRevoked(await this.core.accounts.revokedAmong([...inUse]));
  }

  private async open(
    ws: ConnectionSocket,
    account: AccountRecord,
    keyHash: string,
    route: SocketRoute,
    params: string[],
    origin: string,
    query: URLSearchParams,
  ): Promise<void> {
    const connection = new Connection(ws, account, keyHash, route.dialect, params, origin, this.host);
    this.connections.add(connection);
    this.core.presence.connected(account.id);
    let session: SocketSession | undefined;
    try {
      // A revocation between the authentication and now found no connection to close: look again.
      if (!(await this.core.accounts.authenticateHash(keyHash))) throw new SocketRefusal(CLOSE.unauthenticated, 'token revoked');
      session = await route.open(connection, query);
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

  /** A connection's socket closed. */
  private closed(connection: Connection): void {
    this.connections.delete(connection);
    for (const topic of connection.topics) this.registry.unsubscribe(connection, topic);
    this.core.presence.disconnected(connection.account.id);
    connection.session?.onClose?.();
  }
}

/** A path's parameters, decoded; undefined when one is not valid percent-encoding or breaks the text rule. */
function pathParams(raw: readonly string[]): string[] | undefined {
  try {
    const params = raw.map((p) => decodeURIComponent(p));
    return params.some((p) => textProblem(p) !== undefined) ? undefined : params;
  } catch {
    return undefined;
  }
}

/** Origins sockets were opened with, each kept once (sockets keep theirs for absolute URLs). */
const origins = new Map<string, string>();
/** Origins come from the Host header, which clients choose: only so many are kept. */
const MAX_SHARED_ORIGINS = 64;

/**
 * The origin as one string of its own, shared by the sockets opened with it: `URL.origin` is
 * made of slices of the whole URL, which would keep the URL (token included) for the socket's life.
 */
function sharedOrigin(origin: string): string {
  const known = origins.get(origin);
  if (known !== undefined) return known;
  const own = Buffer.from(origin, 'utf8').toString('utf8');
  if (origins.size < MAX_SHARED_ORIGINS) origins.set(own, own);
  return own;
}

/** The query a session may read: the token stays with the authentication. */
function withoutCredentials(search: URLSearchParams): URLSearchParams {
  const query = new URLSearchParams(search);
  query.delete('token');
  return query;
}
