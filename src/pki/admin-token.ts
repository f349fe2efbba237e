import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import type { ProvisionerKey } from '../core/ca-client/token.js';

/** Audience path of admin revocation tokens (`POST /1.0/revoke`). */
export const REVOKE_TOKEN_PATH = '/1.0/revoke';

/**
 * A one-time provisioner token for an admin operation other than signing (step-ca's revoke token):
 * audience `<caUrl><path>`, subject what it applies to (the serial to revoke), 5 minutes, single use.
 */
export async function mintAdminToken(provisioner: ProvisionerKey, options: { subject: string; path: string; caUrl: string; ttlSeconds?: number }): Promise<string> {
  const key = await importJWK(provisioner.key, 'ES256');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sans: [] })
    .setProtectedHeader({ alg: 'ES256', kid: provisioner.kid, typ: 'JWT' })
    .setIssuer(provisioner.name)
    .setSubject(options.subject)
    .setAudience(`${options.caUrl.replace(/\/+$/, '')}${options.path}`)
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setNotBefore(now - 30)
    .setExpirationTime(now + (options.ttlSeconds ?? 300))
    .sign(key);
}

/** Audience path of inventory tokens (`GET /1.0/certificates`, sent as `Authorization: Bearer`). */
export const INVENTORY_TOKEN_PATH = '/1.0/certificates';
