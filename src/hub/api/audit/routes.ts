import { z } from 'zod';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

/** The audit log, newest first (admins only). */
export function auditEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/audit',
      summary: 'Audit log: who changed what, when, from where (newest first; page with `before`)',
      tag: 'audit',
      access: 'admin',
      query: z.strictObject({
        limit: z.coerce.number().int().min(1).max(1000).default(100),
        before: z.coerce.number().int().positive().optional(),
        actor: z.string().max(128).optional(),
        action: z.string().max(64).optional(),
      }),
      handler: async ({ query }) =>
        s.audit.list(query).map((e) => ({ ...e, at: new Date(e.at).toISOString() })),
    }),
  );
}
