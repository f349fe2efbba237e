import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { request, type Agent } from 'undici';
import type { ProvisionerKey } from '../../core/ca-client/index.js';
import { errorMessage, PhoenixError, UnavailableError } from '../../core/errors.js';
import { x509 } from '../../core/tls/x509.js';
import { normalizeSerial } from './revocations.js';

/** A certificate as the CA's inventory lists it. */
export interface IssuedCertificate {
  serial: string;
  subject: string;
  sans: string[];
  notBefore: number | null;
  notAfter: number;
  provisioner: string | null;
}

/** The CA refused or failed a request (its `{status, message}` is kept). */
export class CaAdminError extends PhoenixError {
  constructor(status: number, message: string) {
    super('HUB_CA_REFUSED', status >= 500 ? 502 : status, message);
  }
}

/**
 * The hub's admin side of the CA, over HTTPS with the hub's own certificate:
 * - revoke a certificate by serial (`POST /1.0/revoke` with a one-time token the hub mints with its
 *   provisioner key, audience `/1.0/revoke`, subject the serial — step-ca's admin revocation);
 * - read the CRL (`GET /1.0/crl?pem=true`) to learn revocations made elsewhere;
 * - list the issued-certificate inventory (`GET /1.0/certificates`) when the CA offers it.
 */
export class CaAdmin {
  constructor(
    private readonly caUrl: string,
    private readonly provisioner: ProvisionerKey,
    private readonly dispatcher: Agent,
  ) {}

  async revoke(serial: string, reasonCode: number, reason: string): Promise<void> {
    const hex = normalizeSerial(serial);
    const key = await importJWK(this.provisioner.key, 'ES256');
    const now = Math.floor(Date.now() / 1000);
    const ott = await new SignJWT({ sans: [hex] })
      .setProtectedHeader({ alg: 'ES256', kid: this.provisioner.kid, typ: 'JWT' })
      .setIssuer(this.provisioner.name)
      .setSubject(hex)
      .setAudience(`${this.caUrl.replace(/\/+$/, '')}/1.0/revoke`)
      .setJti(randomUUID())
      .setIssuedAt(now)
      .setNotBefore(now - 30)
      .setExpirationTime(now + 300)
      .sign(key);
    await this.call('POST', '/1.0/revoke', { serial: hex, reasonCode, reason, ott });
  }

  /** Serials the CA's current CRL lists (upper-case hex). */
  async revokedSerials(): Promise<string[]> {
    const pem = (await this.call('GET', '/1.0/crl?pem=true')) as string;
    const crl = new x509.X509Crl(pem);
    return (crl.entries ?? []).map((e) => normalizeSerial(e.serialNumber));
  }

  /** The CA's inventory, or undefined when this CA does not offer one. */
  async inventory(): Promise<IssuedCertificate[] | undefined> {
    let body: unknown;
    try {
      body = await this.call('GET', '/1.0/certificates');
    } catch (err) {
      if (err instanceof CaAdminError && err.status === 404) return undefined;
      throw err;
    }
    const list = (Array.isArray(body) ? body : ((body as { certificates?: unknown[] } | null)?.certificates ?? [])) as Array<Record<string, unknown>>;
    return list.map((c) => ({
      serial: normalizeSerial(String(c['serial'] ?? '')),
      subject: String(c['subject'] ?? ''),
      sans: Array.isArray(c['sans']) ? (c['sans'] as unknown[]).map(String) : [],
      notBefore: c['notBefore'] ? Date.parse(String(c['notBefore'])) : null,
      notAfter: Date.parse(String(c['notAfter'] ?? '')),
      provisioner: c['provisioner'] ? String(c['provisioner']) : null,
    }));
  }

  private async call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
    let res;
    try {
      res = await request(new URL(path, this.caUrl), {
        method,
        dispatcher: this.dispatcher,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
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
