import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { BadRequestError, ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { INVENTORY_TOKEN_PATH } from '../admin-token.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import { REVOCATION_REASONS, type CaStore, type InventoryCursor, type IssuedCertificate, type Revocation } from '../store/index.js';
import { authorizeAdmin, bearerToken, clientIdentity } from './admin-auth.js';
import { parseBody } from './body.js';

const querySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z
    .string()
    .regex(/^\d{1,16}\.[0-9A-F]{1,80}$/, 'cursor must be the `next` of a previous page')
    .optional(),
  /** Only certificates expiring at or after this time (RFC 3339); default: all, expired included. */
  notAfterFrom: z.iso.datetime({ offset: true }).optional(),
});

const REASON_NAMES = new Map<number, string>(Object.entries(REVOCATION_REASONS).map(([name, code]) => [code, name]));

/** One certificate of the inventory as the API answers it. */
export interface InventoryEntry {
  serial: string;
  subject: string;
  sans: string[];
  provisioner: string;
  notBefore: string;
  notAfter: string;
  issuedAt: string;
  how: 'sign' | 'renew';
  renewedFrom: string | null;
  status: 'valid' | 'expired' | 'revoked';
  revocation: { revokedAt: string; reasonCode: number; reason: string; revokedBy: string } | null;
}

/**
 * `GET /1.0/certificates?limit=&cursor=&notAfterFrom=` with `Authorization: Bearer <ott>`: the
 * issued-certificate inventory, newest first, `{certificates, next, total}` — pass `next` back as
 * `cursor` for the following page. Authorized like revocation by serial: a one-time token of an
 * admin provisioner, audience `/1.0/certificates` (its subject names who asks); a token of another
 * provisioner, or a client certificate without a token, is a 403; nothing at all is a 401.
 */
export function registerCertificatesRoute(app: FastifyInstance, deps: { provisioners: ProvisionerSet; store: CaStore }): void {
  app.get('/1.0/certificates', async (request) => {
    const query = parseBody(querySchema, request.query, 'inventory');
    const ott = bearerToken(request);
    if (ott === undefined) {
      const peer = clientIdentity(request);
      if (peer) throw new ForbiddenError('PKI_FORBIDDEN', `${peer} may not read the certificate inventory: it needs an admin one-time token (Authorization: Bearer, audience ${INVENTORY_TOKEN_PATH})`);
      throw new UnauthorizedError('PKI_INVENTORY_UNAUTHORIZED', `the certificate inventory needs an admin one-time token (Authorization: Bearer, audience ${INVENTORY_TOKEN_PATH})`);
    }
    try {
      await authorizeAdmin(deps.provisioners, deps.store.tokens, ott, { path: INVENTORY_TOKEN_PATH, what: 'reading the certificate inventory' });
    } catch (err) {
      deps.store.audit.append({ at: new Date(), action: 'inventory', outcome: 'refused', actor: clientIdentity(request), detail: (err as Error).message });
      throw err;
    }
    const now = new Date();
    const page = deps.store.certificates.pageOf({
      limit: query.limit,
      ...(query.cursor ? { after: parseCursor(query.cursor) } : {}),
      ...(query.notAfterFrom ? { notAfterFrom: new Date(query.notAfterFrom) } : {}),
    });
    return {
      certificates: page.certificates.map((c) => entry(c, deps.store.revocations.find(c.serial), now)),
      next: page.next ? `${page.next.created}.${page.next.serial}` : null,
      total: deps.store.certificates.count(),
    };
  });
}

function parseCursor(cursor: string): InventoryCursor {
  const [created, serial] = cursor.split('.') as [string, string];
  const n = Number(created);
  if (!Number.isSafeInteger(n)) throw new BadRequestError('PKI_BAD_REQUEST', 'invalid inventory request: cursor must be the `next` of a previous page');
  return { created: n, serial };
}

function entry(c: IssuedCertificate, r: Revocation | undefined, now: Date): InventoryEntry {
  return {
    serial: c.serial,
    subject: c.subject,
    sans: c.sans,
    provisioner: c.provisioner,
    notBefore: c.notBefore.toISOString(),
    notAfter: c.notAfter.toISOString(),
    issuedAt: c.created.toISOString(),
    how: c.how,
    renewedFrom: c.renewedFrom ?? null,
    status: r ? 'revoked' : c.notAfter <= now ? 'expired' : 'valid',
    revocation: r ? { revokedAt: r.revokedAt.toISOString(), reasonCode: r.reason, reason: REASON_NAMES.get(r.reason) ?? String(r.reason), revokedBy: r.revokedBy } : null,
  };
}
