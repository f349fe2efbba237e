import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

/** Service metrics: requests/s, p99 latency and error rate per service over the last minutes. */
export function metricsEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/metrics',
      summary: 'Requests/s, p99 latency (ms) and 5xx error rate per service, in 5 s bins, from the replicas’ /metrics',
      tag: 'monitoring',
      access: 'viewer',
      query: z.strictObject({ window: durationMs.prefault('15m') }),
      handler: async ({ query }) => {
        s.metrics.prune();
        return { binSeconds: 5, services: s.metrics.series(Math.min(query.window, 15 * 60_000)).map((x) => ({ service: x.service, points: x.points.map((p) => ({ ...p, t: new Date(p.t).toISOString() })) })) };
      },
    }),
  );
}
