#!/usr/bin/env node
// `parley`: the administration the original left to its admin site. It works on the configured
// store (PARLEY_DATA_DIR / PARLEY_DATABASE_URL) directly; a running server sees new accounts,
// rooms and members at once, and changed roles after a restart (accounts are cached).
// The commands and their help are in cli-commands.ts.
import { parseCommandLine, UsageError } from './cli-commands.js';
import { ConfigError, loadConfig } from './config.js';
import { CoreError } from './core/errors.js';
import { ROOMS_WORDING } from './dialects/rooms/wording.js';
import type { CoreEvent } from './core/events.js';

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function main(argv: string[]): Promise<void> {
  // Help and usage errors need no configuration and no store.
  const invocation = parseCommandLine(argv);
  if (invocation.kind === 'help') {
    process.stdout.write(invocation.text);
    return;
  }
  const config = loadConfig();
  // Loaded only to run a command: help answers without the store's and the core's modules.
  const [{ LocalBus }, { Core }, { memoryLoginCounters }, { LocalPresence }, { openStore }] = await Promise.all([
    import('./bus/local-bus.js'),
    import('./core/core.js'),
    import('./core/login-throttle.js'),
    import('./core/presence.js'),
    import('./store/open.js'),
  ]);
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const bus = new LocalBus<CoreEvent>({ onHandlerError: () => undefined });
  const core = new Core(store, bus, new LocalPresence(), {
    matchRoomHours: config.matchRoomHours,
    dataDir: config.dataDir,
    uploadLimits: { maxBytes: config.uploadMaxBytes, types: config.uploadTypes, perAccount: config.uploadsPerAccount },
    push: undefined,
    passwordCost: config.passwordCost,
    // The command line logs nobody in: its counters are never consulted.
    loginCounters: memoryLoginCounters(config.loginLimits),
    onBackgroundError: () => undefined,
  });
  try {
    await invocation.command.run({ core, store, operands: invocation.operands, options: invocation.options, print });
  } finally {
    await bus.close();
    await store.close();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError || error instanceof ConfigError) {
    const help = error instanceof UsageError && error.help !== undefined ? `\n${error.help}` : '';
    process.stderr.write(`parley: ${error.message}\n${help}`);
    process.exit(2);
  }
  // The commands administer the rooms dialect's accounts and rooms: its words.
  if (error instanceof CoreError) {
    process.stderr.write(`parley: ${ROOMS_WORDING.error(error)}\n`);
    process.exit(1);
  }
  process.stderr.write(`parley: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
