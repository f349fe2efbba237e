import { z } from 'zod';
import { commonSchema, durationMs, port } from '../core/config.js';
import { bodyLimitOptions } from '../proxy/middleware/body-limit/index.js';
import { inFlightOptions } from '../proxy/middleware/in-flight/index.js';
import { ipAllowListOptions } from '../proxy/middleware/ip-allow-list/index.js';
import { rateLimitOptions } from '../proxy/middleware/rate-limit/index.js';
import { securityHeadersOptions } from '../proxy/middleware/security-headers/index.js';
import { entrypointTimeoutsSchema } from '../proxy/middleware/timeouts/index.js';

export const GATEWAY_DEFAULT_PORT = 8443;

export const gatewayConfigSchema = commonSchema.extend({
  listen: z.object({ host: z.string().default('127.0.0.1'), port: port.default(GATEWAY_DEFAULT_PORT) }).prefault({}),
  /** The internal router, reached over mTLS. */
  routerUrl: z.string().url(),
  /**
   * Host header sent to the router instead of the client's. Unset (the default), the client's Host
   * goes through and the router routes on it: `Host: echo` reaches the `echo` service, and anything
   * no host rule names reaches the default service (Qdrant).
   */
  serviceHost: z.string().optional(),
  /** Full-access API key (Qdrant's `service.api_key`); also the HS256 secret of JWTs. */
  apiKey: z.string().min(16, 'the API key must have at least 16 characters'),
  /** Read-only API key (Qdrant's `service.read_only_api_key`). */
  readOnlyApiKey: z.string().min(16, 'the read-only API key must have at least 16 characters').optional(),
  /** Accept JWTs signed with the API key (Qdrant's `service.jwt_rbac`). */
  jwtRbac: z.boolean().default(true),
  /** Time the router may take to start answering. */
  upstreamTimeout: durationMs.default(60_000),
  /** Offer HTTP/2 to clients (ALPN h2, then http/1.1). */
  http2: z.boolean().default(true),
  timeouts: entrypointTimeoutsSchema.prefault({}),
  /** Client-facing limits, applied to every request after authentication. */
  limits: z
    .strictObject({
      body: bodyLimitOptions.shape.maxBytes,
      rateLimit: rateLimitOptions.optional(),
      inFlight: inFlightOptions.optional(),
      ipAllowList: ipAllowListOptions.shape.sourceRange.optional(),
    })
    .prefault({}),
  securityHeaders: securityHeadersOptions.prefault({}),
  /** Read-only status API and metrics (plain HTTP, loopback); off unless a port is given. */
  status: z.object({ host: z.string().default('127.0.0.1'), port }).optional(),
  accessLog: z.boolean().default(true),
});

export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
