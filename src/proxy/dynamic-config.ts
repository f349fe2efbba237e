import { createHash } from 'node:crypto';
import { z } from 'zod';
import { durationMs } from '../core/config.js';

/**
 * The dynamic configuration model shared by the gateway and the router (Traefik's model, reduced):
 * providers emit full snapshots of routers, services and middlewares; the aggregator validates each
 * item on its own (a bad item is disabled and reported, the rest serves), names every item
 * `name@provider`, and the proxy builds a whole handler table from the result and swaps it in.
 *
 * Durations are milliseconds or text such as `500ms`, `2s`, `1m`.
 */
const SPIFFE_PATTERN = /^spiffe:\/\/[a-z0-9.-]+\/[a-zA-Z0-9._-]+\/([a-zA-Z0-9._-]+|\*)$/;

export const serverSchema = z.strictObject({
  /** `https://host:port` of the backend. */
  url: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'backends are reached over mTLS: the url must start with https://'),
  /** The SPIFFE identity the backend must present (`spiffe://<td>/<role>/<name>` or `…/<role>/*`). */
  identity: z.string().regex(SPIFFE_PATTERN, 'expected spiffe://<trust-domain>/<role>/<name or *>').optional(),
  /**
   * Instead of `identity`, for servers outside Phoenix's PKI (runtime `external`, real Qdrant
   * nodes): the PEM CA bundle that signs them, trusted for this server alone in place of Phoenix's
   * root. A bundle that does not parse disables this server only (status API shows why).
   */
  ca: z.string().min(1).optional(),
  /** With `ca`: the name the server's certificate must hold; the url's host by default. */
  serverName: z.string().min(1).optional(),
  /** Share of traffic relative to the other servers (weighted strategies); 0 takes none. */
  weight: z.number().int().min(0).max(1000).default(1),
}).superRefine((s, ctx) => {
  if ((s.identity === undefined) === (s.ca === undefined)) ctx.addIssue({ code: 'custom', path: ['identity'], message: 'a server needs exactly one of identity (a Phoenix replica) or ca (an external endpoint)' });
  if (s.serverName !== undefined && s.ca === undefined) ctx.addIssue({ code: 'custom', path: ['serverName'], message: 'serverName goes with ca' });
});

/**
 * What a server must prove, as one line: its SPIFFE identity pattern, or for an external server
 * the fingerprint of its CA bundle and the name checked (a changed bundle makes a new backend).
 */
export function serverTrustLabel(server: ServerSpec): string {
  if (server.identity !== undefined) return server.identity;
  const digest = createHash('sha256').update(server.ca ?? '').digest('hex').slice(0, 16);
  return `ca:sha256:${digest} name:${server.serverName ?? new URL(server.url).hostname.replace(/^\[|\]$/g, '')}`;
}

export const healthCheckSchema = z
  .strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]*$/, 'must be an absolute path such as /readyz').default('/readyz'),
    interval: durationMs.default(2000),
    timeout: durationMs.default(1000),
    /** Status that means healthy; any 2xx when unset. */
    expectedStatus: z.number().int().min(100).max(599).optional(),
  })
  .refine((h) => h.interval >= 50, { message: 'interval must be at least 50ms', path: ['interval'] });

/** Passive health: a backend failing this many times in a row is ejected for `ejectFor`, then tried again. */
export const passiveHealthSchema = z.strictObject({
  maxFailures: z.number().int().min(1).max(1000).default(3),
  ejectFor: durationMs.default(10_000),
});

/**
 * Retries go to another backend: always when the connection failed before the request was sent,
 * and for idempotent requests (reads) when the backend failed or timed out before answering. A
 * budget caps retries at `budgetRatio` of recent requests plus `minPerSecond`, so retries cannot
 * multiply load during an outage.
 */
export const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(5).default(3),
  budgetRatio: z.number().min(0).max(1).default(0.2),
  minPerSecond: z.number().int().min(0).max(10_000).default(10),
});

/** Opens after `failureRatio` of at least `minRequests` in `window` failed; answers 503 for `openFor`. */
export const circuitBreakerSchema = z.strictObject({
  failureRatio: z.number().gt(0).max(1).default(0.5),
  minRequests: z.number().int().min(1).default(20),
  window: durationMs.default(10_000),
  openFor: durationMs.default(5000),
});

export const serviceSchema = z.strictObject({
  /** `wrr`: smooth weighted round robin; `p2c`: power of two choices on outstanding requests. */
  strategy: z.enum(['wrr', 'p2c']).default('wrr'),
  servers: z.array(serverSchema).default([]),
  healthCheck: healthCheckSchema.optional(),
  passiveHealthCheck: passiveHealthSchema.prefault({}),
  retry: retrySchema.prefault({}),
  circuitBreaker: circuitBreakerSchema.optional(),
  /** Time a backend may take to start answering. */
  responseTimeout: durationMs.default(60_000),
  /** How long a removed backend may finish its in-flight requests before its pool closes. */
  drainTimeout: durationMs.default(30_000),
});

export const routerSchema = z.strictObject({
  /** Rule text, e.g. ``Host(`qdrant`) && PathPrefix(`/collections`)``. */
  rule: z.string().min(1),
  /** Service name (within the same provider unless it names one: `name@provider`). */
  service: z.string().min(1),
  /** Higher wins; the rule's length by default, as in Traefik. */
  priority: z.number().int().optional(),
  /** Middlewares applied in order (same naming as `service`). */
  middlewares: z.array(z.string().min(1)).default([]),
});

/** A middleware item: exactly one key, its type, holding the type's options. */
export const middlewareSchema = z
  .record(z.string(), z.unknown())
  .refine((m) => Object.keys(m).length === 1, 'a middleware has exactly one type key, e.g. rateLimit: {…}');

export type ServerSpec = z.output<typeof serverSchema>;
export type HealthCheckSpec = z.output<typeof healthCheckSchema>;
export type PassiveHealthSpec = z.output<typeof passiveHealthSchema>;
export type RetrySpec = z.output<typeof retrySchema>;
export type CircuitBreakerSpec = z.output<typeof circuitBreakerSchema>;
export type ServiceSpec = z.output<typeof serviceSchema>;
export type RouterSpec = z.output<typeof routerSchema>;
export type MiddlewareSpec = z.output<typeof middlewareSchema>;

/** One validated, fully named snapshot (every name and reference is `name@provider`). */
export interface DynamicConfig {
  routers: Record<string, RouterSpec>;
  services: Record<string, ServiceSpec>;
  middlewares: Record<string, MiddlewareSpec>;
}

/** What a provider emits: items not yet validated, names without `@provider`. */
export interface RawSnapshot {
  routers?: Record<string, unknown> | undefined;
  services?: Record<string, unknown> | undefined;
  middlewares?: Record<string, unknown> | undefined;
}

/** A dynamic item that could not be used; it is left out and reported, the rest serves. */
export interface ItemError {
  item: string;
  error: string;
}

export const rawSnapshotSchema = z.strictObject({
  routers: z.record(z.string(), z.unknown()).optional(),
  services: z.record(z.string(), z.unknown()).optional(),
  middlewares: z.record(z.string(), z.unknown()).optional(),
});

export function emptyConfig(): DynamicConfig {
  return { routers: {}, services: {}, middlewares: {} };
}

/** Readable one-line text for a zod error. */
export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ');
}
