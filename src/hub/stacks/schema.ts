import { z } from 'zod';
import { durationMs } from '../../core/config.js';

/**
 * The stack model (what `qdrant_service` and any other stack file declares). Stack names have no
 * `-`, so instance ids `<stack>-<service>-<n>` never collide across stacks.
 */
export const RUNTIMES = ['embedded'] as const;
export type Runtime = (typeof RUNTIMES)[number];

export const ROUTER_HOST_LABEL = 'phoenix.router.host';
export const ROUTER_DEFAULT_LABEL = 'phoenix.router.default';

export const EMBEDDED_REPLICAS_REFUSAL =
  'runtime embedded accepts only 1 replica: independent replicas of the embedded engine would diverge ' +
  '(a point written through one would be missing from the others), so only 1 is accepted until the ' +
  'replicated vector service lands';

const labelValue = z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v));

const healthcheckSchema = z
  .strictObject({
    path: z.string().regex(/^\/[\x21-\x7e]*$/, 'must be an absolute path such as /readyz').default('/readyz'),
    interval: durationMs.prefault('2s'),
    timeout: durationMs.prefault('1s'),
  })
  .refine((h) => h.timeout <= h.interval, { message: 'timeout must not exceed interval', path: ['timeout'] });

const runtimeSchema = z.string().refine((v): v is Runtime => (RUNTIMES as readonly string[]).includes(v), {
  error: (issue) => `unknown runtime ${JSON.stringify(issue.input)}; known runtimes: ${RUNTIMES.join(', ')}`,
});

export const serviceSchema = z
  .strictObject({
    runtime: runtimeSchema,
    replicas: z.number().int('must be a whole number').min(0).max(64).default(1),
    labels: z.record(z.string(), labelValue).default({}),
    healthcheck: healthcheckSchema.prefault({}),
  })
  .superRefine((service, ctx) => {
    if (service.runtime === 'embedded' && service.replicas > 1) {
      ctx.addIssue({ code: 'custom', path: ['replicas'], message: `replicas: ${service.replicas} refused: ${EMBEDDED_REPLICAS_REFUSAL}` });
    }
  });

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
