import { z } from 'zod';
import { NotFoundError, UnauthorizedError } from '../../../core/errors.js';
import { STACK_NAME_RE } from '../../stacks/schema.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { deployWire } from '../stacks/routes.js';

const params = z.strictObject({ name: z.string().regex(STACK_NAME_RE) });

/**
 * Redeploy webhooks: a stack's webhook URL carries a secret (only its hash is stored); a POST to it
 * redeploys the stack (rolling restart of every instance), as a CI job would after publishing.
 */
export function webhookEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'POST',
      url: '/api/stacks/:name/webhook',
      summary: 'Create (or replace) the stack’s redeploy webhook; the URL is shown once',
      tag: 'stacks',
      access: 'operator',
      params,
      audit: 'stack.webhook.create',
      handler: async ({ params, request, reply }) => {
        s.stacks.get(params.name);
        const secret = s.stacks.store.rotateWebhook(params.name);
        const base = s.config.publicUrl ?? `https://${request.headers.host ?? `localhost:${s.config.listen.port}`}`;
        return reply.code(201).send({ stack: params.name, url: `${base.replace(/\/+$/, '')}/api/webhooks/${secret}` });
      },
    }),
    endpoint({
      method: 'DELETE',
      url: '/api/stacks/:name/webhook',
      summary: 'Remove the stack’s webhook',
      tag: 'stacks',
      access: 'operator',
      params,
      audit: 'stack.webhook.delete',
      handler: async ({ params, reply }) => {
        if (!s.stacks.store.deleteWebhook(params.name)) throw new NotFoundError('HUB_WEBHOOK_NOT_FOUND', `stack "${params.name}" has no webhook`);
        return reply.code(204).send();
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/webhooks/:secret',
      summary: 'Webhook: redeploy the stack this secret belongs to (no other credentials)',
      tag: 'stacks',
      access: 'public',
      params: z.strictObject({ secret: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, 'not a webhook secret') }),
      audit: 'stack.redeploy.webhook',
      responses: { 401: 'unknown webhook' },
      handler: async ({ params, audit }) => {
        const stack = s.stacks.store.stackOfWebhook(params.secret);
        audit.target = stack ?? "(unknown)";
        if (!stack) {
          audit.actor = { name: 'webhook (unknown secret)', kind: 'webhook' };
          throw new UnauthorizedError('HUB_WEBHOOK_UNKNOWN', 'unknown webhook');
        }
        audit.actor = { name: `webhook of ${stack}`, kind: 'webhook' };
        return deployWire(s.operations.redeploy(stack, `webhook of ${stack}`));
      },
    }),
  );
}
