import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { renewCertificate, signCertificate, type SignedCertificate, type CaEndpoint } from '../ca-client/index.js';
import { errorMessage } from '../errors.js';
import { sleep } from '../lifecycle.js';
import { certificateFacts, createCsrPem, generatePrivateKeyPem } from './keys.js';
import { spiffeUri, type SpiffeId } from './spiffe.js';

/** A private key with the certificate chain currently certifying it. */
export interface CertifiedKey {
  readonly keyPem: string;
  /** Leaf certificate, PEM. */
  readonly certPem: string;
  /** Leaf then intermediates, PEM, as presented in a TLS handshake. */
  readonly chainPem: string;
  readonly serialNumber: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** When this holder received it; renewal is scheduled from here. */
  readonly receivedAt: Date;
}

/** Where certificates come from: the CA over HTTPS for most roles, the local authority for the CA. */
export interface CertificateIssuer {
  /** Trust roots (PEM) for verifying peers. */
  readonly rootPem: string;
  /** A first certificate for a new key. */
  issue(keyPem: string, csrPem: string): Promise<SignedCertificate>;
  /** A new certificate for the same key, authenticated by the current one. */
  renew(current: CertifiedKey): Promise<SignedCertificate>;
}

/** Issuer backed by the CA's REST API; `token` supplies a one-time token when a new cert is needed. */
export function remoteIssuer(endpoint: CaEndpoint, token: () => Promise<string>): CertificateIssuer {
  return {
    rootPem: endpoint.rootPem,
    issue: async (_keyPem, csrPem) => signCertificate(endpoint, csrPem, await token()),
    renew: (current) => renewCertificate(endpoint, current.keyPem, current.chainPem),
  };
}

export interface IdentityRequest {
  trustDomain: string;
  role: string;
  name: string;
  /** DNS names this process is reached at (servers), e.g. `localhost`. */
  dnsNames?: readonly string[];
  /** IP addresses this process is reached at (servers), e.g. `127.0.0.1`. */
  ipAddresses?: readonly string[];
}

export interface TlsIdentityOptions {
  logger: Logger;
  /** Fraction of the remaining lifetime after which to renew; default 2/3. */
  renewFraction?: number;
  /** Also write the key and chain here (key mode 0600) after every issue/renewal, e.g. for nginx. */
  files?: { key: string; cert: string };
}

/**
 * A process's certificate identity: obtains its certificate at start and renews it at ~2/3 of its
 * lifetime. Listeners and clients subscribe with `onRenewed` and swap their TLS contexts in place.
 */
export class TlsIdentity {
  readonly id: SpiffeId;
  readonly sans: { dnsNames: string[]; ipAddresses: string[]; uris: string[] };
  private cert: CertifiedKey | undefined;
  private readonly events = new EventEmitter();
  private readonly renewFraction: number;
  private renewing = false;

  private constructor(
    request: IdentityRequest,
    private readonly issuer: CertificateIssuer,
    private readonly options: TlsIdentityOptions,
  ) {
    const uri = spiffeUri(request.trustDomain, request.role, request.name);
    this.id = { trustDomain: request.trustDomain, role: request.role, name: request.name, uri };
    this.sans = { dnsNames: [...(request.dnsNames ?? [])], ipAddresses: [...(request.ipAddresses ?? [])], uris: [uri] };
    this.renewFraction = options.renewFraction ?? 2 / 3;
  }

  /** Generates a key and obtains the first certificate. */
  static async obtain(request: IdentityRequest, issuer: CertificateIssuer, options: TlsIdentityOptions): Promise<TlsIdentity> {
    const identity = new TlsIdentity(request, issuer, options);
    await identity.reissue();
    return identity;
  }

  /** The SANs to put in a provisioning token for this request (DNS, IPs and the SPIFFE URI). */
  static sansOf(request: IdentityRequest): string[] {
    return [...(request.dnsNames ?? []), ...(request.ipAddresses ?? []), spiffeUri(request.trustDomain, request.role, request.name)];
  }

  get rootPem(): string {
    return this.issuer.rootPem;
  }

  get current(): CertifiedKey {
    if (!this.cert) throw new Error('identity has no certificate yet');
    return this.cert;
  }

  /** Called with the new certificate after every renewal; returns an unsubscribe function. */
  onRenewed(listener: (cert: CertifiedKey) => void): () => void {
    this.events.on('renewed', listener);
    return () => this.events.off('renewed', listener);
  }

  /** Renews now (same key); on failure after expiry, falls back to a new key and a fresh token. */
  async renewNow(): Promise<void> {
    const current = this.current;
    try {
      this.install(current.keyPem, await this.issuer.renew(current));
    } catch (err) {
      if (Date.now() < current.notAfter.getTime()) throw err;
      this.options.logger.warn({ err: errorMessage(err) }, 'certificate expired and renewal failed; requesting a new one');
      await this.reissue();
    }
    this.options.logger.info({ serial: this.current.serialNumber, notAfter: this.current.notAfter.toISOString() }, 'certificate renewed');
    this.events.emit('renewed', this.current);
  }

  /** Milliseconds from now until renewal is due. */
  renewalDelay(now = Date.now()): number {
    const c = this.current;
    const from = Math.max(c.receivedAt.getTime(), c.notBefore.getTime());
    const due = from + (c.notAfter.getTime() - from) * this.renewFraction;
    return Math.max(0, due - now);
  }

  /**
   * Keeps the certificate renewed until `signal` aborts. Failures retry with backoff. The process's
   * composition root calls this once (roles only subscribe with `onRenewed`); later calls are ignored.
   */
  start(signal: AbortSignal): void {
    if (this.renewing) return;
    this.renewing = true;
    signal.addEventListener('abort', () => (this.renewing = false), { once: true });
    void (async () => {
      let failures = 0;
      while (!signal.aborted) {
        const lifetime = this.current.notAfter.getTime() - this.current.notBefore.getTime();
        const delay = failures === 0 ? this.renewalDelay() : Math.min(30_000, Math.max(250, (lifetime / 30) * failures));
        try {
          await sleep(delay, signal);
        } catch {
          return;
        }
        try {
          await this.renewNow();
          failures = 0;
        } catch (err) {
          failures++;
          if (signal.aborted) return;
          this.options.logger.error({ err: errorMessage(err), failures }, 'certificate renewal failed; will retry');
        }
      }
    })();
  }

  private async reissue(): Promise<void> {
    const keyPem = generatePrivateKeyPem();
    const csrPem = await createCsrPem(keyPem, {
      commonName: this.id.uri,
      dnsNames: this.sans.dnsNames,
      ipAddresses: this.sans.ipAddresses,
      uris: this.sans.uris,
    });
    this.install(keyPem, await this.issuer.issue(keyPem, csrPem));
    this.options.logger.info({ identity: this.id.uri, serial: this.current.serialNumber, notAfter: this.current.notAfter.toISOString() }, 'certificate obtained');
  }

  private install(keyPem: string, signed: SignedCertificate): void {
    const facts = certificateFacts(signed.crt);
    const chainPem = signed.certChain.map((c) => (c.endsWith('\n') ? c : `${c}\n`)).join('');
    this.cert = {
      keyPem,
      certPem: signed.crt,
      chainPem,
      serialNumber: facts.serialNumber,
      notBefore: facts.notBefore,
      notAfter: facts.notAfter,
      receivedAt: new Date(),
    };
    if (this.options.files) {
      writeAtomic(this.options.files.key, keyPem, 0o600);
      writeAtomic(this.options.files.cert, chainPem, 0o644);
    }
  }
}

function writeAtomic(file: string, content: string, mode: number): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}
