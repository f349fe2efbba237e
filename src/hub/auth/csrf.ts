import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * CSRF protection for cookie sessions. A browser sends the session cookie on its own; a
 * state-changing request riding on it must also carry `X-CSRF-Token`, a value bound to the session
 * (an HMAC of the session token under a secret the hub keeps) that a page from another origin
 * cannot read, and, when the browser states where the request comes from (`Origin`,
 * `Sec-Fetch-Site`), that must be this hub. Requests with an `Authorization` header carry no
 * ambient credentials and need neither.
 */
export const CSRF_HEADER = 'x-csrf-token';

export class CsrfGuard {
  constructor(private readonly secret: Buffer) {}

  tokenFor(sessionToken: string): string {
    return createHmac('sha256', this.secret).update(`csrf:${sessionToken}`).digest('base64url');
  }

  /** Why the request must be refused, or undefined when it may go on. */
  check(sessionToken: string, headers: Record<string, string | string[] | undefined>): string | undefined {
    const cross = crossSiteReason(headers);
    if (cross) return cross;
    const sent = headers[CSRF_HEADER];
    if (typeof sent !== 'string' || sent.length === 0) return `missing ${CSRF_HEADER} header (state-changing requests with the session cookie need the CSRF token from GET /api/auth/me)`;
    const expected = Buffer.from(this.tokenFor(sessionToken));
    const got = Buffer.from(sent);
    if (got.length !== expected.length || !timingSafeEqual(got, expected)) return `wrong ${CSRF_HEADER} header`;
    return undefined;
  }
}

/** A reason when the browser says the request comes from another site; undefined otherwise. */
export function crossSiteReason(headers: Record<string, string | string[] | undefined>): string | undefined {
  const site = headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') return `request from another site (Sec-Fetch-Site: ${site})`;
  const origin = headers['origin'];
  const host = headers['host'];
  if (typeof origin === 'string' && origin !== 'null') {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return `unreadable Origin header`;
    }
    if (typeof host !== 'string' || originHost !== host) return `request from another origin (${origin})`;
  } else if (origin === 'null') {
    return 'request from an opaque origin (Origin: null)';
  }
  return undefined;
}
