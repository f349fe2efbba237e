import { z } from 'zod';
import { ForbiddenError } from '../../core/errors.js';
import { middlewareFactory } from '../../proxy/middleware/middleware.js';
import { classifyQdrantOperation } from '../../proxy/qdrant-operations.js';
import { denial, visibleCollections } from './access.js';
import type { QdrantAuthenticator } from './authenticator.js';
import { presentedCredential } from './credentials.js';
import { listingFilter } from './listing-filter.js';

/** Paths Qdrant serves without authentication. */
const PUBLIC_PATHS = new Set(['/', '/healthz', '/livez', '/readyz']);

/**
 * Client authentication and authorization at the gateway, as Qdrant does it: a credential is
 * required except on the public probes (401 without, 403 when wrong, in Qdrant's plain-text
 * words); then the credential's access is checked against what the request does (403 in Qdrant's
 * JSON envelope: a read-only key cannot write, a collection-scoped token reaches only its
 * collections and sees only them in listings).
 */
export function qdrantAuth(authenticator: QdrantAuthenticator) {
  return middlewareFactory('qdrantAuth', z.strictObject({}), (_o, ctx) => ({
    onRequest(ex) {
      if (PUBLIC_PATHS.has(ex.path) && (ex.method === 'GET' || ex.method === 'HEAD')) return;
      let principal;
      try {
        principal = authenticator.authenticate(presentedCredential(ex.req.headers));
      } catch (err) {
        ctx.rejected('qdrantAuth', 'credential');
        throw err;
      }
      ex.principal = principal.label;
      ex.clientKey = principal.clientKey;
      if (principal.access === 'm') return;
      const op = classifyQdrantOperation(ex.method, ex.path);
      const why = denial(principal.access, op);
      if (why) {
        ctx.rejected('qdrantAuth', 'access');
        throw new ForbiddenError('GATEWAY_ACCESS_DENIED', `Forbidden: ${why}`);
      }
      const visible = op.access === 'list' ? visibleCollections(principal.access) : undefined;
      if (visible) ex.transformBody = listingFilter(visible);
    },
  }));
}
