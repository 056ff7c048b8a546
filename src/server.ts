// Composes one Parley process: store and bus, the core, the HTTP app and the socket gateway.
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { LocalBus } from './bus/local-bus.js';
import { Core } from './core/core.js';
import type { CoreEvent } from './core/events.js';
import { registerPhoneDialect } from './dialects/phone/index.js';
import { registerRoomsDialect } from './dialects/rooms/index.js';
import { Gateway } from './gateway/gateway.js';
import { buildApp } from './http/app.js';
import { openStore } from './store/open.js';

export interface Parley {
  app: FastifyInstance;
  core: Core;
  gateway: Gateway;
  /** The address the server listens on, e.g. http://127.0.0.1:8000. */
  url: string;
  /** Drains sockets (1001), stops HTTP, then closes the bus and the store. */
  close(): Promise<void>;
}

export async function startParley(config: Config): Promise<Parley> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const bus = new LocalBus<CoreEvent>();
  let log: FastifyInstance['log'] | undefined;
  const core = new Core(store, bus, {
    dataDir: config.dataDir,
    uploadLimits: { maxBytes: config.uploadMaxBytes, types: config.uploadTypes },
    pushWebhookUrl: config.pushWebhookUrl,
    onBackgroundError: (error) => log?.warn({ err: error }, 'background task failed'),
  });
  const app = await buildApp({ core, logLevel: config.logLevel });
  log = app.log;
  const gateway = new Gateway(core, app.log);
  await registerPhoneDialect(app, gateway, core);
  await registerRoomsDialect(app, gateway, core, { timeZone: config.timeZone, publicUrl: config.publicUrl });
  gateway.attach(app.server);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await store.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | undefined;
  return {
    app,
    core,
    gateway,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close() {
      closing ??= (async () => {
        gateway.close();
        await app.close();
        await bus.close();
        await store.close();
      })();
      return closing;
    },
  };
}
