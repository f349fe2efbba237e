/**
 * Lifecycle helpers. Every role's `start<Role>()` returns a `RoleHandle`; background loops run under
 * one AbortSignal per role and stop when it aborts. `close()` is safe to call twice.
 */
export interface Closeable {
  close(): Promise<void>;
}

export interface RoleHandle extends Closeable {
  /** Where the role listens, once started (port 0 resolves to the real port). */
  readonly endpoints: Record<string, string>;
}

/** Resolves after `ms`, or rejects with the abort reason when `signal` aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    timer.unref?.();
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `task` now and then every `intervalMs` until `signal` aborts. A failing run is reported to
 * `onError` and the loop goes on. Runs never overlap.
 */
export function every(
  intervalMs: number | (() => number),
  signal: AbortSignal,
  task: () => Promise<void> | void,
  onError: (err: unknown) => void,
): Promise<void> {
  const next = () => (typeof intervalMs === 'function' ? intervalMs() : intervalMs);
  return (async () => {
    while (!signal.aborted) {
      try {
        await task();
      } catch (err) {
        if (signal.aborted) break;
        onError(err);
      }
      try {
        await sleep(next(), signal);
      } catch {
        break;
      }
    }
  })();
}

/** Makes `close()` idempotent: the first call does the work, later calls await the same promise. */
export function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

/** Closes every item, in order, even when some fail; rethrows the first failure. */
export async function closeAll(items: Array<Closeable | undefined>): Promise<void> {
  let first: unknown;
  for (const item of items) {
    try {
      await item?.close();
    } catch (err) {
      first ??= err;
    }
  }
  if (first !== undefined) throw first;
}
