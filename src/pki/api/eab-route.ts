import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { parseSpiffe } from '../../core/tls/spiffe.js';
import type { AcmeStore } from '../acme/acme-store.js';
import type { AuditLog } from '../store/audit.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import type { TokenLedger } from '../store/tokens.js';
import { parseBody } from './body.js';

const EAB_LIFETIME_MS = 3_600_000;
const eabRequestSchema = z.strictObject({ ott: z.string().min(1).max(16_384), provisioner: z.string().min(1).max(64).default('acme') });

/**
 * `POST /1.0/eab {ott, provisioner}` → 201 `{kid, hmacKey}`: trades a one-time token for an ACME
 * external account binding key (single use, one hour). When the token's subject is a SPIFFE ID of
 * this trust domain, the account it binds may carry that URI in its certificates besides the
 * validated names — how the router and gateway keep their identities while using ACME.
 */
export function registerEabRoute(app: FastifyInstance, deps: { provisioners: ProvisionerSet; tokens: TokenLedger; acme: AcmeStore; audit: AuditLog; acmeProvisioners: readonly string[]; trustDomain: string }): void {
  app.post('/1.0/eab', async (request, reply) => {
    const body = parseBody(eabRequestSchema, request.body, 'eab');
    if (!deps.acmeProvisioners.includes(body.provisioner)) throw new NotFoundError('PKI_NOT_FOUND', `no ACME provisioner named "${body.provisioner}"`);
    const auth = await deps.provisioners.authorizeSign(body.ott);
    if (!deps.tokens.use(auth.token)) throw new UnauthorizedError('PKI_TOKEN_REUSED', `token ${auth.token.jti} was already used; one-time tokens are accepted once, mint a new one`);
    const id = parseSpiffe(auth.options.subject);
    const boundUri = id && id.trustDomain === deps.trustDomain ? id.uri : undefined;
    const kid = randomBytes(16).toString('base64url');
    const hmacKey = randomBytes(32).toString('base64url');
    deps.acme.insertEabKey({ kid, provisioner: body.provisioner, hmac: hmacKey, boundUri, expires: new Date(Date.now() + EAB_LIFETIME_MS) });
    deps.audit.append({ at: new Date(), action: 'eab', outcome: 'ok', provisioner: body.provisioner, actor: `token:${auth.token.subject}`, subject: boundUri, detail: `kid ${kid}` });
    return reply.code(201).send({ kid, hmacKey, ...(boundUri ? { boundUri } : {}) });
  });
}
