import type { Logger } from 'pino';
import { errorMessage } from '../../core/errors.js';
import type { ConfigAggregator } from '../aggregator.js';
import type { Provider } from './provider.js';

/** Starts every provider feeding `aggregator` until `signal` aborts; resolves when all have stopped. */
export function runProviders(providers: readonly Provider[], aggregator: ConfigAggregator, signal: AbortSignal, logger: Logger): Promise<void> {
  return Promise.all(
    providers.map(async (p) => {
      try {
        await p.start({ emit: (s) => aggregator.update(p.name, s), fail: (m) => aggregator.fail(p.name, m) }, signal);
      } catch (err) {
        logger.error({ provider: p.name, err: errorMessage(err) }, 'configuration provider stopped');
        aggregator.fail(p.name, errorMessage(err));
      }
    }),
  ).then(() => undefined);
}
