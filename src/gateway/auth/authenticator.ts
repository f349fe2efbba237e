import { createHash, timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import type { Access } from './access.js';
import { INVALID_KEY_MESSAGE, MISSING_KEY_MESSAGE } from './credentials.js';
import { TokenError, verifyQdrantJwt } from './jwt.js';

/** Who presented a valid credential, and what they may do. */
export interface Principal {
  kind: 'api-key' | 'read-only-key' | 'jwt';
  access: Access;
  /** A short, non-secret handle of the credential (rate limits per key, logs). */
  clientKey: string;
  /** For the access log: `api-key`, `read-only-key` or `jwt:<sub or handle>`. */
  label: string;
  /** JWT expiry, seconds since the epoch. */
  exp: number | undefined;
}

const CACHE_LIMIT = 10_000;

/**
 * Qdrant-compatible client authentication: the full API key (manage), an optional read-only key,
 * and — with JWT RBAC on — HS256 tokens signed with the full key. Keys are compared as SHA-256
 * digests in constant time; verified credentials are cached (expired tokens drop out).
 */
export class QdrantAuthenticator {
  private readonly full: Buffer;
  private readonly readOnly: Buffer | undefined;
  private readonly secret: Buffer;
  private readonly cache = new Map<string, Principal>();

  constructor(private readonly options: { apiKey: string; readOnlyApiKey?: string | undefined; jwtRbac: boolean }) {
    this.full = sha256(options.apiKey);
    this.readOnly = options.readOnlyApiKey ? sha256(options.readOnlyApiKey) : undefined;
    this.secret = Buffer.from(options.apiKey, 'utf8');
  }

  /** Throws 401 without a credential and 403 with a wrong one. */
  authenticate(credential: string | undefined, nowS = Date.now() / 1000): Principal {
    if (credential === undefined) throw new UnauthorizedError('GATEWAY_API_KEY_MISSING', MISSING_KEY_MESSAGE);
    const cached = this.cache.get(credential);
    if (cached && (cached.exp === undefined || nowS <= cached.exp + 30)) return cached;
    if (cached) this.cache.delete(credential);
    const principal = this.verify(credential, nowS);
    if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
    this.cache.set(credential, principal);
    return principal;
  }

  private verify(credential: string, nowS: number): Principal {
    const digest = sha256(credential);
    const handle = digest.toString('hex', 0, 8);
    if (timingSafeEqual(digest, this.full)) return { kind: 'api-key', access: 'm', clientKey: `key:${handle}`, label: 'api-key', exp: undefined };
    if (this.readOnly && timingSafeEqual(digest, this.readOnly)) return { kind: 'read-only-key', access: 'r', clientKey: `key:${handle}`, label: 'read-only-key', exp: undefined };
    if (this.options.jwtRbac && credential.startsWith('eyJ')) {
      try {
        const t = verifyQdrantJwt(credential, this.secret, nowS);
        return { kind: 'jwt', access: t.access, clientKey: `jwt:${handle}`, label: `jwt:${t.subject ?? handle}`, exp: t.exp };
      } catch (err) {
        if (!(err instanceof TokenError)) throw err;
      }
    }
    throw new ForbiddenError('GATEWAY_API_KEY_INVALID', INVALID_KEY_MESSAGE);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
