// Opens the configured bus: the in-process one, or Redis when PARLEY_REDIS_URL is set. The
// server and the command line open it alike, so what either publishes reaches every process.
import type { Bus, BusObserver } from './bus.js';
import { LocalBus } from './local-bus.js';

export interface BusOptions extends BusObserver {
  redisUrl: string | undefined;
  redisPrefix: string;
  /** Reports a lost or regained Redis connection. */
  onConnectionChange?: (connected: boolean) => void;
}

/** Rejects when Redis is configured but does not answer. */
export async function openBus<E>(options: BusOptions): Promise<Bus<E>> {
  const { redisUrl, redisPrefix, ...observer } = options;
  if (!redisUrl) return new LocalBus<E>(observer);
  // Loaded only when configured: the embedded default does not pay ioredis's memory.
  const { RedisBus } = await import('./redis-bus.js');
  const bus = new RedisBus<E>({ ...observer, url: redisUrl, prefix: redisPrefix });
  try {
    await bus.connect();
  } catch (error) {
    await bus.close();
    throw new Error(`cannot reach Redis at PARLEY_REDIS_URL: ${error instanceof Error ? error.message : String(error)}`);
  }
  return bus;
}
