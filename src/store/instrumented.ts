// Times every store call without the store implementations knowing about metrics, and without a
// list of their methods: any method reached through the store, at any depth, is timed under its
// path ("messages.insert", "messages.history", "conversations.addMember"), so a store reshaped into
// other modules stays measured.

/** Called once per settled store call, with its path and its duration. */
export type OperationObserver = (operation: string, seconds: number) => void;

export function instrumentStore<T extends object>(store: T, observe: OperationObserver): T {
  return instrument(store, '', observe);
}

function instrument<T extends object>(target: T, prefix: string, observe: OperationObserver): T {
  // One wrapper per property, made on first use; remade if the property's value changes.
  const wrappers = new Map<string, { original: unknown; wrapper: unknown }>();
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property);
      if (typeof property !== 'string' || property === 'constructor') return value;
      const known = wrappers.get(property);
      if (known && known.original === value) return known.wrapper;
      let wrapper: unknown;
      if (typeof value === 'function') wrapper = timed(value as (...args: unknown[]) => unknown, object, prefix + property, observe);
      else if (typeof value === 'object' && value !== null) wrapper = instrument(value, `${prefix}${property}.`, observe);
      else return value;
      wrappers.set(property, { original: value, wrapper });
      return wrapper;
    },
  });
}

function timed(
  method: (...args: unknown[]) => unknown,
  self: object,
  operation: string,
  observe: OperationObserver,
): (...args: unknown[]) => unknown {
  return (...args) => {
    const started = performance.now();
    const settled = (): void => observe(operation, (performance.now() - started) / 1000);
    let result: unknown;
    try {
      result = Reflect.apply(method, self, args);
    } catch (error) {
      settled();
      throw error;
    }
    // Timed on a branch of its own, and the call's own promise returned: the caller waits no
    // extra turns (finally() would add three per store call), and its errors reach it as they were.
    if (result instanceof Promise) result.then(settled, settled);
    else settled();
    return result;
  };
}
