import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import { ROLES } from '../../auth/roles.js';
import type { ApiTokenRecord } from '../../store/api-tokens.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const tokenWire = (t: ApiTokenRecord) => ({ id: t.id, name: t.name, username: t.username, role: t.role, createdAt: iso(t.createdAt), expiresAt: iso(t.expiresAt), lastUsedAt: iso(t.lastUsedAt) });

/** API tokens for automation: everyone manages their own; admins see and delete all. */
export function tokenEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/tokens',
      summary: 'API tokens: mine (admins: everyone’s)',
      tag: 'tokens',
      access: 'viewer',
      handler: async ({ who }) => s.accounts.listTokens(who).map(tokenWire),
    }),
    endpoint({
      method: 'POST',
      url: '/api/tokens',
      summary: 'Create an API token (shown once); its role is at most mine',
      tag: 'tokens',
      access: 'viewer',
      body: z.strictObject({ name: z.string().min(1).max(64), role: z.enum(ROLES).optional(), ttl: durationMs.optional() }),
      audit: 'token.create',
      handler: async ({ who, body, reply, audit }) => {
        const { token, record } = s.accounts.createToken(who, { name: body.name, role: body.role, ttlMs: body.ttl });
        audit.target = record.id;
        audit.detail = { name: record.name, role: record.role };
        return reply.code(201).send({ ...tokenWire(record), token });
      },
    }),
    endpoint({
      method: 'DELETE',
      url: '/api/tokens/:id',
      summary: 'Delete an API token (mine; admins: any)',
      tag: 'tokens',
      access: 'viewer',
      params: z.strictObject({ id: z.string().regex(/^[a-z0-9]{1,32}$/) }),
      audit: 'token.delete',
      handler: async ({ who, params, reply, audit }) => {
        const t = s.accounts.deleteToken(who, params.id);
        audit.detail = { name: t.name, owner: t.username };
        return reply.code(204).send();
      },
    }),
  );
}
