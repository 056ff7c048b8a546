// Entry: configuration -> store + bus -> server; graceful shutdown on SIGTERM / SIGINT.
import { ConfigError, loadConfig } from './config.js';
import { startParley } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`parley: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const parley = await startParley(config);
  parley.app.log.info({ url: parley.url, store: parley.core.store.engine }, 'parley is ready');
  const shutdown = (signal: string): void => {
    parley.app.log.info({ signal }, 'shutting down');
    parley.close().then(
      () => process.exit(0),
      (error: unknown) => {
        parley.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`parley: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
