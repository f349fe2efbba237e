import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { AccessRecord } from './reverse-proxy.js';

/** One JSON access-log line per request, at every hop, carrying the propagated request id. */
export function logAccess(logger: Logger, req: IncomingMessage, requestId: string, startedAt: bigint, record: AccessRecord & { client?: string | null }): void {
  const durationMs = Number(process.hrtime.bigint() - startedAt) / 1e6;
  logger.info(
    {
      access: true,
      requestId,
      method: req.method,
      path: req.url,
      status: record.status,
      durationMs: Math.round(durationMs * 100) / 100,
      route: record.route,
      service: record.service,
      backend: record.backend,
      ...(record.client !== undefined ? { client: record.client } : {}),
      ...(record.error ? { error: record.error } : {}),
    },
    'request',
  );
}
