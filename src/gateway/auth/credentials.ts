import type { IncomingHttpHeaders } from 'node:http';

/**
 * Client credentials the way Qdrant takes them: the key or JWT comes in the `api-key` header or as
 * `Authorization: Bearer <key>`.
 */
export const MISSING_KEY_MESSAGE = 'Must provide an API key or an Authorization bearer token';
export const INVALID_KEY_MESSAGE = 'Invalid API key or JWT';

export function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = headers.authorization;
  if (typeof auth === 'string' && auth.length > 7 && /^bearer\s/i.test(auth)) {
    const token = auth.slice(7).trim();
    if (token.length > 0) return token;
  }
  return undefined;
}
