import { z } from 'zod';
import { REVOCATION_REASONS, type RevocationReason } from '../../certs/certificates.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { iso } from '../wire.js';

/** The certificate inventory with expiry, and revocation. */
export function certificateEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/certificates',
      summary: 'Certificate inventory (from the CA, or the certificates the hub sees), with expiry and revocation',
      tag: 'certificates',
      access: 'viewer',
      handler: async () => {
        const { source, certificates, caError } = await s.certificates.list();
        return {
          source,
          caError,
          certificates: certificates.map((c) => ({ ...c, notBefore: iso(c.notBefore), notAfter: iso(c.notAfter), revokedAt: iso(c.revokedAt), lastSeenAt: iso(c.lastSeenAt) })),
        };
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/certificates/revoke',
      summary: 'Revoke a certificate at the CA; the hub refuses it at once and cuts its open connections',
      tag: 'certificates',
      access: 'admin',
      body: z.strictObject({
        serial: z.string().regex(/^[0-9a-fA-F:]{1,80}$/, 'serial must be hex'),
        reason: z.enum(Object.keys(REVOCATION_REASONS) as [RevocationReason, ...RevocationReason[]]).default('unspecified'),
      }),
      audit: 'certificate.revoke',
      handler: async ({ body, who, audit }) => {
        audit.target = body.serial;
        const r = await s.certificates.revoke(body.serial, body.reason, who.label);
        audit.detail = { identity: r.identity, reason: body.reason, disconnected: r.disconnected };
        return r;
      },
    }),
  );
}
