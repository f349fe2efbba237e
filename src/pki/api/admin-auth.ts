import type { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import { identityOfCertificate } from '../../core/tls/spiffe.js';
import { ENROLL_PROVISIONER } from '../init.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import type { SignAuthorization } from '../provisioners/provisioner.js';
import type { TokenLedger } from '../store/index.js';

/**
 * Provisioners whose keys do not make their holder a CA administrator: `enroll` signs host
 * enrollment tokens (agent identities only), so its tokens may not revoke or read the inventory.
 */
const NON_ADMIN_PROVISIONERS: ReadonlySet<string> = new Set([ENROLL_PROVISIONER]);

/**
 * Authorizes an admin operation (step-ca's admin tokens): `ott` is a one-time token signed by an
 * admin provisioner's key (`phoenix`; not `enroll`), audience `<ca>/<path>`, used once;
 * `checkSubject` may bind its subject (revocation: the serial) by returning why it does not match. Returns who asked,
 * `admin:<provisioner>`. A token of a non-admin provisioner is a 403.
 */
export async function authorizeAdmin(
  provisioners: ProvisionerSet,
  tokens: TokenLedger,
  ott: string,
  options: { path: string; what: string; checkSubject?: (tokenSubject: string) => string | undefined },
): Promise<{ by: string; auth: SignAuthorization }> {
  const auth = await provisioners.authorizeSign(ott, options.path);
  const provisioner = auth.options.provisioner;
  if (NON_ADMIN_PROVISIONERS.has(provisioner)) {
    throw new ForbiddenError('PKI_FORBIDDEN', `the ${provisioner} provisioner is not an admin provisioner; ${options.what} needs a token of an admin provisioner (${adminNames(provisioners).join(', ')})`);
  }
  const mismatch = options.checkSubject?.(auth.token.subject);
  if (mismatch !== undefined) throw new ForbiddenError('PKI_TOKEN_SUBJECT', mismatch);
  if (!tokens.use(auth.token)) throw new UnauthorizedError('PKI_TOKEN_REUSED', `token ${auth.token.jti} was already used; one-time tokens are accepted once, mint a new one`);
  return { by: `admin:${provisioner}`, auth };
}

/** The bearer token of `Authorization: Bearer <token>`, if any. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) throw new UnauthorizedError('PKI_TOKEN_INVALID', 'the Authorization header must be "Bearer <one-time token>"');
  return m[1];
}

/** The verified client certificate's identity (SPIFFE URI, else its serial) on this request, if one was presented. */
export function clientIdentity(request: FastifyRequest): string | undefined {
  const socket = request.raw.socket as TLSSocket;
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  if (!cert?.serialNumber) return undefined;
  return identityOfCertificate(cert)?.uri ?? `the certificate with serial ${cert.serialNumber}`;
}

function adminNames(provisioners: ProvisionerSet): string[] {
  return provisioners.names.filter((n) => !NON_ADMIN_PROVISIONERS.has(n));
}
