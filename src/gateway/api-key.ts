import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { ForbiddenError, UnauthorizedError } from '../core/errors.js';

/**
 * Client authentication the way Qdrant does it: the key comes in the `api-key` header or as
 * `Authorization: Bearer <key>`. Missing → 401, wrong → 403, with Qdrant's messages.
 * Keys are compared as SHA-256 digests in constant time.
 */
export const MISSING_KEY_MESSAGE = 'Must provide an API key or an Authorization bearer token';
export const INVALID_KEY_MESSAGE = 'Invalid API key or JWT';

/** Paths Qdrant serves without authentication. */
const PUBLIC_PATHS = new Set(['/', '/healthz', '/livez', '/readyz']);

export class ApiKeyAuthenticator {
  private readonly digest: Buffer;

  constructor(apiKey: string) {
    this.digest = sha256(apiKey);
  }

  /** Throws UnauthorizedError / ForbiddenError unless the request may pass. */
  check(path: string, headers: IncomingHttpHeaders): void {
    if (PUBLIC_PATHS.has(path)) return;
    const presented = presentedKey(headers);
    if (presented === undefined) throw new UnauthorizedError('GATEWAY_API_KEY_MISSING', MISSING_KEY_MESSAGE);
    if (!timingSafeEqual(sha256(presented), this.digest)) throw new ForbiddenError('GATEWAY_API_KEY_INVALID', INVALID_KEY_MESSAGE);
  }
}

function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (m) return (m[1] as string).trim();
  }
  return undefined;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
