import type { Logger } from 'pino';
import type { Exchange } from './exchange.js';

/**
 * One JSON access-log line per request at every hop: route, service, backend, status, durations
 * (total and upstream), request id and trace id, retries, and who the client was.
 */
export function logAccess(logger: Logger, ex: Exchange): void {
  logger.info(
    {
      access: true,
      requestId: ex.requestId,
      traceId: ex.traceId,
      method: ex.method,
      path: ex.url,
      status: ex.status,
      durationMs: Math.round(ex.elapsedMs() * 100) / 100,
      upstreamMs: ex.upstreamMs === undefined ? null : Math.round(ex.upstreamMs * 100) / 100,
      route: ex.route,
      service: ex.service,
      backend: ex.backend,
      retries: ex.retries,
      client: ex.principal ?? null,
      clientIp: ex.clientIp,
      ...(ex.error ? { error: ex.error } : {}),
    },
    'request',
  );
}
