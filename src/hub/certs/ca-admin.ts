import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { request, type Agent } from 'undici';
import { z } from 'zod';
import type { ProvisionerKey } from '../../core/ca-client/index.js';
import { errorMessage, PhoenixError, UnavailableError } from '../../core/errors.js';
import { x509 } from '../../core/tls/x509.js';
import { normalizeSerial } from './revocations.js';

/** A certificate as the CA's inventory lists it (`GET /1.0/certificates`). */
export interface IssuedCertificate {
  serial: string;
  subject: string;
  /** SANs without their type prefix (`DNS:`, `IP:`, `URI:`). */
  sans: string[];
  notBefore: number | null;
  notAfter: number;
  provisioner: string | null;
  /** Set when the CA has revoked it. */
  revocation: { revokedAt: number; reason: string; revokedBy: string } | null;
}

/** How much of the CA's inventory the hub reads: pages of this size, at most this many pages. */
const INVENTORY_PAGE = 500;
const INVENTORY_MAX_PAGES = 20;

const entrySchema = z.object({
  serial: z.string(),
  subject: z.string(),
  sans: z.array(z.string()),
  provisioner: z.string(),
  notBefore: z.string(),
  notAfter: z.string(),
  revocation: z.object({ revokedAt: z.string(), reason: z.string(), revokedBy: z.string() }).nullable(),
});
const pageSchema = z.object({ certificates: z.array(entrySchema), next: z.string().nullable(), total: z.number() });

/** The CA refused or failed a request (its `{status, message}` is kept). */
export class CaAdminError extends PhoenixError {
  constructor(status: number, message: string) {
    super('HUB_CA_REFUSED', status >= 500 ? 502 : status, message);
  }
}

/**
 * The hub's admin side of the CA, over HTTPS with the hub's own certificate. Admin operations carry
 * a one-time token the hub mints with its (admin) provisioner key — step-ca's admin tokens:
 * - revoke a certificate by serial (`POST /1.0/revoke`, token audience `/1.0/revoke`, subject the serial);
 * - read the CRL (`GET /1.0/crl?pem=true`) to learn revocations made elsewhere;
 * - list the issued-certificate inventory (`GET /1.0/certificates`, token as `Authorization: Bearer`,
 *   audience `/1.0/certificates`, subject the hub's identity), page by page.
 */
export class CaAdmin {
  constructor(
    private readonly caUrl: string,
    private readonly provisioner: ProvisionerKey,
    private readonly dispatcher: Agent,
    /** Who asks, as the inventory tokens' subject (the hub's SPIFFE ID). */
    private readonly actor = 'hub',
  ) {}

  async revoke(serial: string, reasonCode: number, reason: string): Promise<void> {
    const hex = normalizeSerial(serial);
    const ott = await this.adminToken('/1.0/revoke', hex);
    await this.call('POST', '/1.0/revoke', { serial: hex, reasonCode, reason, ott });
  }

  /** Serials the CA's current CRL lists (upper-case hex). */
  async revokedSerials(): Promise<string[]> {
    const pem = (await this.call('GET', '/1.0/crl?pem=true')) as string;
    const crl = new x509.X509Crl(pem);
    return (crl.entries ?? []).map((e) => normalizeSerial(e.serialNumber));
  }

  /**
   * The CA's inventory of certificates expiring at or after `notAfterFrom`, newest first (at most
   * INVENTORY_PAGE × INVENTORY_MAX_PAGES of them); undefined when this CA does not serve one (404).
   */
  async inventory(notAfterFrom?: number): Promise<IssuedCertificate[] | undefined> {
    const out: IssuedCertificate[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < INVENTORY_MAX_PAGES; pages++) {
      const query = new URLSearchParams({ limit: String(INVENTORY_PAGE) });
      if (notAfterFrom !== undefined) query.set('notAfterFrom', new Date(notAfterFrom).toISOString());
      if (cursor) query.set('cursor', cursor);
      let body: unknown;
      try {
        body = await this.call('GET', `/1.0/certificates?${query}`, undefined, { authorization: `Bearer ${await this.adminToken('/1.0/certificates', this.actor)}` });
      } catch (err) {
        if (err instanceof CaAdminError && err.status === 404 && pages === 0) return undefined;
        throw err;
      }
      const parsed = pageSchema.safeParse(body);
      if (!parsed.success) throw new CaAdminError(502, `the CA's inventory answer is not understood: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
      for (const c of parsed.data.certificates) {
        out.push({
          serial: normalizeSerial(c.serial),
          subject: c.subject,
          sans: c.sans.map((s) => s.replace(/^(URI|DNS|IP|IP Address|email):/, '')),
          notBefore: Date.parse(c.notBefore),
          notAfter: Date.parse(c.notAfter),
          provisioner: c.provisioner,
          revocation: c.revocation ? { revokedAt: Date.parse(c.revocation.revokedAt), reason: c.revocation.reason, revokedBy: c.revocation.revokedBy } : null,
        });
      }
      cursor = parsed.data.next;
      if (!cursor) break;
    }
    return out;
  }

  /** A one-time admin token: audience `<ca><path>`, the given subject, 5 minutes. */
  private async adminToken(path: string, subject: string): Promise<string> {
    const key = await importJWK(this.provisioner.key, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sans: [] })
      .setProtectedHeader({ alg: 'ES256', kid: this.provisioner.kid, typ: 'JWT' })
      .setIssuer(this.provisioner.name)
      .setSubject(subject)
      .setAudience(`${this.caUrl.replace(/\/+$/, '')}${path}`)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now - 30)
      .setExpirationTime(now + 300)
      .sign(key);
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    let res;
    try {
      res = await request(new URL(path, this.caUrl), {
        method,
        dispatcher: this.dispatcher,
        headers: body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
    } catch (err) {
      throw new UnavailableError('HUB_CA_UNREACHABLE', `the CA at ${this.caUrl} is unreachable: ${errorMessage(err)}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON */
      }
      throw new CaAdminError(res.statusCode, `the CA answered ${method} ${path.split('?')[0]} with ${res.statusCode}: ${message}`);
    }
    const type = String(res.headers['content-type'] ?? '');
    return type.includes('json') ? (JSON.parse(text) as unknown) : text;
  }
}
