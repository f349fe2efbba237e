import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { accessClaimSchema, type Access } from './access.js';

/** Qdrant accepts `exp` up to 30 s in the past (clock skew). */
const LEEWAY_S = 30;

const headerSchema = z.object({ alg: z.literal('HS256'), typ: z.string().optional() });
const claimsSchema = z.object({
  exp: z.number().optional(),
  nbf: z.number().optional(),
  sub: z.string().optional(),
  access: accessClaimSchema.optional(),
  value_exists: z.unknown().optional(),
});

export interface VerifiedToken {
  access: Access;
  /** Seconds since the epoch; undefined when the token does not expire. */
  exp: number | undefined;
  subject: string | undefined;
}

export class TokenError extends Error {}

/**
 * Verifies a Qdrant JWT: compact JWS, HS256 signed with the API key, `exp` checked with Qdrant's
 * 30-second leeway, `access` parsed (manage when absent). Synchronous (HMAC-SHA256 from node:crypto,
 * compared in constant time) so the data path never waits on it. `value_exists` (a check against
 * stored data) is not supported and is refused rather than ignored.
 */
export function verifyQdrantJwt(token: string, secret: Buffer, nowS = Date.now() / 1000): VerifiedToken {
  const parts = token.split('.');
  if (parts.length !== 3) throw new TokenError('not a JWT');
  const [h, p, s] = parts as [string, string, string];
  const header = headerSchema.safeParse(parseJson(h));
  if (!header.success) throw new TokenError('only HS256 tokens are accepted');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new TokenError('bad signature');
  const claims = claimsSchema.safeParse(parseJson(p));
  if (!claims.success) throw new TokenError(`bad claims: ${claims.error.issues.map((i) => i.path.join('.') + ' ' + i.message).join('; ')}`);
  const c = claims.data;
  if (c.exp !== undefined && nowS > c.exp + LEEWAY_S) throw new TokenError('expired');
  if (c.nbf !== undefined && nowS + LEEWAY_S < c.nbf) throw new TokenError('not yet valid');
  if (c.value_exists !== undefined) throw new TokenError('value_exists tokens are not supported');
  return { access: c.access ?? 'm', exp: c.exp, subject: c.sub };
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}
