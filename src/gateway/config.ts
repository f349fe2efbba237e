import { z } from 'zod';
import { commonSchema, durationMs, port } from '../core/config.js';

export const GATEWAY_DEFAULT_PORT = 8443;

export const gatewayConfigSchema = commonSchema.extend({
  listen: z.object({ host: z.string().default('127.0.0.1'), port: port.default(GATEWAY_DEFAULT_PORT) }).default({ host: '127.0.0.1', port: GATEWAY_DEFAULT_PORT }),
  /** The internal router, reached over mTLS. */
  routerUrl: z.string().url(),
  /** Host header sent to the router; the router routes on it. */
  serviceHost: z.string().default('qdrant'),
  /** Full-access API key (Qdrant's `service.api_key`). */
  apiKey: z.string().min(16, 'the API key must have at least 16 characters'),
  /** Time the router may take to start answering. */
  upstreamTimeout: durationMs.default(60_000),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
