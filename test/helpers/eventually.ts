import { sleep } from '../../src/core/lifecycle.js';

/** Retries `check` until it stops throwing or `timeoutMs` passes; rethrows the last failure. */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(stepMs);
    }
  }
}
