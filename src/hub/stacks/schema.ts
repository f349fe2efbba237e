import { z } from 'zod';
import { durationMs } from '../../core/config.js';

/**
 * The stack model (what `qdrant_service` and any other stack file declares). Stack names have no
 * `-`, so instance ids `<stack>-<service>-<n>` never collide across stacks.
 *
 * Runtimes: `embedded` — Phoenix's own vector engine, a supervised `phoenix run vector` on an
 * agent; `process` — any command, supervised by an agent, given a port and a certificate;
 * `external` — endpoints that already run (real Qdrant nodes), registered with the CA that signs
 * them and health-checked by an agent.
 */
export const RUNTIMES = ['embedded', 'process', 'external'] as const;
export type Runtime = (typeof RUNTIMES)[number];
export const RESTART_POLICIES = ['always', 'on-failure', 'never'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const ROUTER_HOST_LABEL = 'phoenix.router.host';
export const ROUTER_DEFAULT_LABEL = 'phoenix.router.default';

const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const healthcheckSchema = z
  .strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]*$/, 'must be an absolute path such as /readyz').default('/readyz'),
    interval: durationMs.prefault('2s'),
    timeout: durationMs.prefault('1s'),
    /** Consecutive failed checks before an instance counts as unhealthy. */
    retries: z.number().int().min(1).max(100).default(3),
    /** Failed checks during this time after a start do not count. */
    startPeriod: durationMs.prefault('0s'),
  })
  .refine((h) => h.timeout <= h.interval, { message: 'timeout must not exceed interval', path: ['timeout'] });

const UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, ki: 1024, mi: 1024 ** 2, gi: 1024 ** 3 };
/** A size such as `512M`, `1Gi`, or a number of bytes. */
export const byteSize = z.union([z.number().int().positive(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?)?b?$/i.exec(v.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `invalid size "${v}": use a number with a unit, e.g. 512M or 2Gi` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * (UNITS[(m[2] ?? '').toLowerCase()] ?? 1));
});

const resourcesSchema = z.strictObject({
  /** Memory: the heap limit of an embedded replica; the address-space limit of a process. */
  memory: byteSize.refine((b) => b >= 32 * 1024 * 1024, 'memory must be at least 32M').optional(),
  /** Open files (process runtime). */
  files: z.number().int().min(64).max(1_048_576).optional(),
  /** Processes/threads of the user (process runtime). */
  processes: z.number().int().min(16).max(1_000_000).optional(),
  /** Scheduling niceness 0 (normal) … 19 (lowest priority). */
  nice: z.number().int().min(0).max(19).optional(),
});

const updateSchema = z.strictObject({
  /** Instances replaced at a time. */
  parallelism: z.number().int().min(1).max(64).default(1),
  /** How long a replaced instance has to become healthy before the update counts as failed. */
  monitor: durationMs.prefault('30s'),
  /** An instance leaves the routers' feed this long before it is stopped, so in-flight traffic moves away. */
  drain: durationMs.prefault('2s'),
  /** Pause between batches. */
  delay: durationMs.prefault('0s'),
  /** On failure: put the previous version back (rollback) or stop where it is (pause). */
  failureAction: z.enum(['rollback', 'pause']).default('rollback'),
});

const pem = z.string().refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), 'must be a PEM certificate bundle');
const endpointSchema = z.strictObject({
  url: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https:// URL'),
  /** The CA certificate(s) that sign the endpoint's certificate (PEM). */
  ca: pem,
  /** Name to check in the endpoint's certificate when it differs from the URL's host. */
  serverName: z.string().min(1).max(253).optional(),
});

const runtimeSchema = z.string().refine((v): v is Runtime => (RUNTIMES as readonly string[]).includes(v), {
  error: (issue) => `unknown runtime ${JSON.stringify(issue.input)}; known runtimes: ${RUNTIMES.join(', ')}`,
});

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, 'environment variable names use letters, digits and _');

export const serviceSchema = z
  .strictObject({
    runtime: runtimeSchema,
    replicas: z.number().int('must be a whole number').min(0).max(64).optional(),
    command: z.string().min(1).max(4096).optional(),
    args: z.array(z.union([z.string(), z.number()]).transform(String)).max(256).optional(),
    env: z.record(envName, labelValue).optional(),
    labels: z.record(z.string(), labelValue).default({}),
    healthcheck: healthcheckSchema.prefault({}),
    resources: resourcesSchema.optional(),
    restart: z.enum(RESTART_POLICIES).default('always'),
    update: updateSchema.prefault({}),
    endpoints: z.array(endpointSchema).min(1).max(64).optional(),
  })
  .superRefine((s, ctx) => {
    const refuse = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    switch (s.runtime) {
      case 'embedded':
        // Several replicas form a replica set (one leader, followers over one replicated log): see docs/REPLICATION.md.
        if (s.command !== undefined) refuse('command', 'runtime embedded runs Phoenix’s own engine; command is for runtime process');
        if (s.args !== undefined) refuse('args', 'runtime embedded takes no args; args are for runtime process');
        if (s.endpoints !== undefined) refuse('endpoints', 'endpoints are for runtime external');
        if (s.resources?.files !== undefined || s.resources?.processes !== undefined) refuse('resources', 'files and processes limits apply to runtime process only');
        break;
      case 'process':
        if (s.command === undefined) refuse('command', 'runtime process needs a command');
        if (s.endpoints !== undefined) refuse('endpoints', 'endpoints are for runtime external');
        break;
      case 'external':
        if (s.endpoints === undefined) refuse('endpoints', 'runtime external needs endpoints (url and ca of each)');
        else if (s.replicas !== undefined && s.replicas !== s.endpoints.length) refuse('replicas', `runtime external runs one instance per endpoint: replicas must be ${s.endpoints.length} or left out`);
        for (const key of ['command', 'args', 'env', 'resources'] as const) if (s[key] !== undefined) refuse(key, `runtime external runs nothing; ${key} does not apply`);
        break;
    }
  })
  .transform((s) => ({ ...s, replicas: s.runtime === 'external' ? (s.endpoints?.length ?? 0) : (s.replicas ?? 1) }));

export const STACK_NAME_RE = /^[a-z0-9][a-z0-9_]{0,62}$/;
export const SERVICE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const stackSchema = z.strictObject({
  name: z.string().regex(STACK_NAME_RE, 'stack names use a-z, 0-9 and _ (no -), up to 63 characters'),
  services: z
    .record(z.string().regex(SERVICE_NAME_RE, 'service names use a-z, 0-9, _ and -, up to 63 characters'), serviceSchema)
    .refine((s) => Object.keys(s).length > 0, 'a stack needs at least one service'),
});

export type Stack = z.output<typeof stackSchema>;
export type Service = z.output<typeof serviceSchema>;

/** How the router reaches a service: its host names and whether it takes unmatched hosts. */
export function routingOf(service: Service): { hosts: string[]; default: boolean } {
  const hosts = (service.labels[ROUTER_HOST_LABEL] ?? '')
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  return { hosts, default: service.labels[ROUTER_DEFAULT_LABEL] === 'true' };
}
