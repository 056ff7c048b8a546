// Composes one Parley process: store and bus, the core, the HTTP app and the socket gateway.
import type { FastifyInstance, RouteOptions } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { Config } from './config.js';
import type { Bus } from './bus/bus.js';
import { openBus } from './bus/open.js';
import { Core } from './core/core.js';
import type { CoreEvent } from './core/events.js';
import { memoryLoginCounters, type LoginCounters } from './core/login-throttle.js';
import { LocalPresence, type Presence } from './core/presence.js';
import { registerPhoneDialect } from './dialects/phone/index.js';
import { registerRoomsDialect } from './dialects/rooms/index.js';
import { roomsMentionNotice, roomsPushPayload } from './dialects/rooms/notices.js';
import { Gateway } from './gateway/gateway.js';
import { ApiDocs } from './http/api-docs.js';
import { buildApp, ROUTER_OPTIONS } from './http/app.js';
import { socketDocsRoutes } from './http/socket-docs.js';
import { webRoutes } from './http/web.js';
import { createLogger } from './log.js';
import { Metrics } from './metrics.js';
import { instrumentStore } from './store/instrumented.js';
import { openStore } from './store/open.js';

/** How often keys of messages older than the repeat window are forgotten. */
const SEND_KEY_SWEEP_MS = 3600_000;

export interface Parley {
  app: FastifyInstance;
  core: Core;
  gateway: Gateway;
  /** The address the server listens on, e.g. http://127.0.0.1:8000. */
  url: string;
  /** Drains sockets (1001), stops HTTP, then closes the bus and the store. */
  close(): Promise<void>;
}

export interface ParleyOptions {
  /** Where the JSON log lines go; standard output by default. */
  logDestination?: DestinationStream;
  /** Told of every HTTP route as it is added (the OpenAPI test checks that each is described). */
  onRoute?: (route: RouteOptions) => void;
}

export async function startParley(config: Config, options: ParleyOptions = {}): Promise<Parley> {
  const log = createLogger(config.logLevel, options.logDestination);
  const metrics = new Metrics();
  const store = instrumentStore(await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }), (operation, seconds) =>
    metrics.storeLatency.observe({ operation }, seconds),
  );
  let fanOut: FanOut;
  try {
    fanOut = await openFanOut(config, log, metrics);
  } catch (error) {
    await store.close();
    throw error;
  }
  const { bus, presence, loginCounters, closeCounters } = fanOut;
  const core = new Core(store, bus, presence, {
    matchRoomHours: config.matchRoomHours,
    dataDir: config.dataDir,
    uploadLimits: { maxBytes: config.uploadMaxBytes, types: config.uploadTypes, perAccount: config.uploadsPerAccount },
    push: config.pushWebhookUrl === undefined ? undefined : { url: config.pushWebhookUrl, payload: roomsPushPayload },
    mentionNotice: roomsMentionNotice,
    passwordCost: config.passwordCost,
    loginCounters,
    onBackgroundError: (error) => log.warn({ err: error }, 'background task failed'),
    onMessageStored: (kind, deliveries) => metrics.messageStored(kind, deliveries),
  });
  const apiDocs = new ApiDocs(ROUTER_OPTIONS);
  const app = await buildApp({
    core,
    log,
    metrics,
    publicUrl: config.publicUrl,
    sessionMaxAgeSeconds: config.sessionMaxAgeSeconds,
    metricsToken: config.metricsToken,
    trustProxy: config.trustProxy,
    onRoute: options.onRoute,
  }, apiDocs);
  const gateway = new Gateway(core, log, metrics, config.publicUrl, {
    perAccount: config.maxSocketsPerAccount,
    perAddress: config.maxSocketsPerAddress,
  }, config.heartbeatSeconds * 1000);
  await registerPhoneDialect(app, gateway, core);
  await registerRoomsDialect(app, gateway, core, { timeZone: config.timeZone, publicUrl: config.publicUrl });
  await app.register(webRoutes());
  await app.register(socketDocsRoutes());
  await app.register(apiDocs.routes());
  gateway.attach(app.server);
  const forgetting = setInterval(() => {
    core.messages.forgetOldSendKeys().catch((error: unknown) => log.warn({ err: error }, 'forgetting old send keys failed'));
  }, SEND_KEY_SWEEP_MS).unref();

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearInterval(forgetting);
      await gateway.close();
      await app.close();
      await presence.close();
      await closeCounters();
      await bus.close();
      await store.close();
    })();
    return closing;
  };
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    app,
    core,
    gateway,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close,
  };
}

/** What the processes share: the bus, presence and the log-in counters. */
interface FanOut {
  bus: Bus<CoreEvent>;
  presence: Presence;
  loginCounters: LoginCounters;
  closeCounters(): Promise<void>;
}

/** The in-process bus, presence and counters, or Redis ones when PARLEY_REDIS_URL is set. */
async function openFanOut(config: Config, log: Logger, metrics: Metrics): Promise<FanOut> {
  const bus = await openBus<CoreEvent>({
    redisUrl: config.redisUrl,
    redisPrefix: config.redisPrefix,
    onHandlerError: (error, topic) => log.error({ err: error, topic }, 'bus handler failed'),
    onDelivered: (seconds) => metrics.busLatency.observe(seconds),
    onConnectionChange: (connected) =>
      connected ? log.info('redis bus connected') : log.warn('redis bus disconnected; reconnecting'),
  });
  if (!config.redisUrl) {
    return {
      bus,
      presence: new LocalPresence(),
      loginCounters: memoryLoginCounters(config.loginLimits),
      closeCounters: async () => undefined,
    };
  }
  // Loaded only when configured: the embedded default does not pay ioredis's memory.
  const [{ RedisPresence }, { RedisLoginCounters }] = await Promise.all([
    import('./bus/redis-presence.js'),
    import('./bus/redis-login-counters.js'),
  ]);
  const presence = new RedisPresence(config.redisUrl, config.redisPrefix);
  const counters = new RedisLoginCounters(config.redisUrl, config.redisPrefix, config.loginLimits);
  try {
    await presence.connect();
    await counters.connect();
  } catch (error) {
    await bus.close();
    await presence.close();
    await counters.close();
    throw new Error(`cannot reach Redis at PARLEY_REDIS_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { bus, presence, loginCounters: counters.counters, closeCounters: () => counters.close() };
}
