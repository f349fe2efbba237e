import { z } from 'zod';
import { NotFoundError } from '../../../core/errors.js';
import { StackInvalidError, StackSyntaxError } from '../../errors.js';
import { diffLines } from '../../stacks/diff.js';
import { parseStack } from '../../stacks/parse.js';
import { STACK_NAME_RE, SERVICE_NAME_RE } from '../../stacks/schema.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { rolloutWire, stackWire, versionWire } from '../wire.js';
import type { DeployResult } from '../../deploy/operations.js';

/** Media types a stack file may be sent as. */
export const STACK_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

const name = z.string().regex(STACK_NAME_RE, 'stack names use a-z, 0-9 and _ (no -)');
const params = z.strictObject({ name });
const version = z.coerce.number().int().min(1);

export function deployWire(r: DeployResult) {
  return { ...stackWire(r.stack), created: r.created, rollout: r.rollout ? rolloutWire(r.rollout) : null };
}

/** Stacks: read, validate, store + deploy, history, diff, rollback, scale, rollouts. */
export function stackEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/stacks',
      summary: 'Every stack (latest version, YAML included)',
      tag: 'stacks',
      access: 'viewer',
      handler: async () => s.stacks.all().map((c) => ({ ...stackWire(c), rollout: active(s, c.version.name) })),
    }),
    endpoint({
      method: 'POST',
      url: '/api/stacks/validate',
      summary: 'Validate a stack file without storing it: problems come with line and column',
      tag: 'stacks',
      access: 'viewer',
      body: 'yaml',
      handler: async ({ body }) => {
        try {
          const stack = parseStack(body);
          return { valid: true, name: stack.name, errors: [] };
        } catch (err) {
          if (err instanceof StackSyntaxError || err instanceof StackInvalidError) return { valid: false, name: null, errors: err.issues };
          throw err;
        }
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/stacks/:name',
      summary: 'One stack: latest version, YAML, services, the rolling update in progress',
      tag: 'stacks',
      access: 'viewer',
      params,
      handler: async ({ params }) => ({ ...stackWire(s.stacks.get(params.name)), rollout: active(s, params.name), webhook: webhookInfo(s, params.name) }),
    }),
    endpoint({
      method: 'PUT',
      url: '/api/stacks/:name',
      summary: 'Store a new version (YAML body) and deploy it: new instances start, changed ones are replaced by a rolling update',
      tag: 'stacks',
      access: 'operator',
      params,
      body: 'yaml',
      audit: 'stack.deploy',
      responses: { 415: 'not YAML', 422: 'not a valid stack (errors with lines)' },
      handler: async ({ params, body, who, audit }) => {
        const r = s.operations.deploy(params.name, body, who.label);
        audit.detail = { version: r.stack.version.version, created: r.created, rollout: r.rollout?.id ?? null };
        if (r.created) s.logger.info({ stack: params.name, version: r.stack.version.version, by: who.label }, 'stack version stored');
        return deployWire(r);
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/stacks/:name/versions',
      summary: 'Version history, newest first (who, when, why)',
      tag: 'stacks',
      access: 'viewer',
      params,
      handler: async ({ params }) => s.stacks.history(params.name).map((v) => versionWire(v)),
    }),
    endpoint({
      method: 'GET',
      url: '/api/stacks/:name/versions/:version',
      summary: 'One version with its YAML',
      tag: 'stacks',
      access: 'viewer',
      params: z.strictObject({ name, version }),
      handler: async ({ params }) => versionWire(s.stacks.version(params.name, params.version).version, true),
    }),
    endpoint({
      method: 'GET',
      url: '/api/stacks/:name/diff',
      summary: 'Line diff between two versions (default: the one before `to`, and the latest)',
      tag: 'stacks',
      access: 'viewer',
      params,
      query: z.strictObject({ from: version.optional(), to: version.optional() }),
      handler: async ({ params, query }) => {
        const to = s.stacks.version(params.name, query.to ?? s.stacks.get(params.name).version.version);
        const fromVersion = query.from ?? to.version.version - 1;
        if (fromVersion < 1) throw new NotFoundError('HUB_STACK_VERSION_NOT_FOUND', `version ${to.version.version} is the first; nothing to compare with`);
        const from = s.stacks.version(params.name, fromVersion);
        return { from: from.version.version, to: to.version.version, lines: diffLines(from.version.yaml, to.version.yaml) };
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/stacks/:name/rollback',
      summary: 'Roll back to any earlier version: stores it again as the newest version and deploys it',
      tag: 'stacks',
      access: 'operator',
      params,
      body: z.strictObject({ version: z.number().int().min(1) }),
      audit: 'stack.rollback',
      handler: async ({ params, body, who, audit }) => {
        const r = s.operations.rollback(params.name, body.version, who.label);
        audit.detail = { to: body.version, newVersion: r.stack.version.version };
        return deployWire(r);
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/stacks/:name/scale',
      summary: 'Set the replicas of one service (stores a new version and deploys it)',
      tag: 'stacks',
      access: 'operator',
      params,
      body: z.strictObject({ service: z.string().regex(SERVICE_NAME_RE), replicas: z.number().int().min(0).max(64) }),
      audit: 'stack.scale',
      handler: async ({ params, body, who, audit }) => {
        const r = s.operations.scale(params.name, body.service, body.replicas, who.label);
        audit.detail = { service: body.service, replicas: body.replicas, version: r.stack.version.version };
        return deployWire(r);
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/stacks/:name/redeploy',
      summary: 'Restart every instance of the stack with a rolling update',
      tag: 'stacks',
      access: 'operator',
      params,
      audit: 'stack.redeploy',
      handler: async ({ params, who }) => deployWire(s.operations.redeploy(params.name, who.label)),
    }),
    endpoint({
      method: 'GET',
      url: '/api/stacks/:name/rollouts',
      summary: 'Rolling updates of the stack, newest first',
      tag: 'stacks',
      access: 'viewer',
      params,
      handler: async ({ params }) => {
        s.stacks.get(params.name);
        return s.rollouts.list(params.name).map(rolloutWire);
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/rollouts',
      summary: 'Recent rolling updates of every stack, newest first',
      tag: 'stacks',
      access: 'viewer',
      handler: async () => s.rollouts.list(undefined, 100).map(rolloutWire),
    }),
  );
}

function active(s: HubServices, stack: string) {
  const r = s.rollouts.activeFor(stack);
  return r ? rolloutWire(r) : null;
}

function webhookInfo(s: HubServices, stack: string) {
  const at = s.stacks.store.webhookCreatedAt(stack);
  return at === null ? null : { createdAt: new Date(at).toISOString() };
}

