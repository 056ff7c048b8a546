// Times every store call and counts stored messages and their deliveries, without the store
// implementations knowing about metrics.
import type { Metrics } from '../metrics.js';
import type { Store } from './store.js';

export function instrumentStore(store: Store, metrics: Metrics): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'close') return value;
      return async (...args: unknown[]) => {
        const started = process.hrtime.bigint();
        try {
          const result: unknown = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (property === 'insertMessage') {
            metrics.messagesStored.inc();
            metrics.deliveries.inc({}, (args[1] as readonly number[]).length);
          }
          return result;
        } finally {
          metrics.storeLatency.observe(Number(process.hrtime.bigint() - started) / 1e9, { operation: property });
        }
      };
    },
  });
}
