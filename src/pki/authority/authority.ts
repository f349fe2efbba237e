import { X509Certificate } from 'node:crypto';
import { ConflictError, NotFoundError, PhoenixError, UnauthorizedError } from '../../core/errors.js';
import type { SignedCertificate } from '../../core/ca-client/client.js';
import { x509 } from '../../core/tls/x509.js';
import type { LifetimePolicy } from '../config.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import type { SignOptions } from '../provisioners/provisioner.js';
import type { AuditLog, AuditAction } from '../store/audit.js';
import type { CertificateRecords, IssuanceKind } from '../store/certificates.js';
import type { RevocationReasonCode, RevocationRecords } from '../store/revocations.js';
import type { TokenLedger } from '../store/tokens.js';
import type { CaKeys } from './ca-keys.js';
import { checkCsrAllowed, readCsr, type CertificateRequest } from './csr.js';
import { createLeafCertificate } from './leaf.js';
import { leafValidity } from './lifetime.js';
import { checkRenewable } from './renewal.js';
import { describeSan, type San } from './sans.js';

/** Told about every certificate issued or revoked (metrics). */
export interface AuthorityObserver {
  issued(how: IssuanceKind, provisioner: string): void;
  revoked?(provisioner: string): void;
}

export interface AuthorityDeps {
  provisioners: ProvisionerSet;
  tokens: TokenLedger;
  certificates: CertificateRecords;
  revocations: RevocationRecords;
  audit: AuditLog;
  lifetime: LifetimePolicy;
  /** Renewal of an expired certificate (off by default, as in step-ca's `allowRenewalAfterExpiry`). */
  allowRenewalAfterExpiry?: boolean;
  observer?: AuthorityObserver;
  /** Called after every revocation (the CRL is regenerated). */
  onRevoked?: () => Promise<void> | void;
}

interface IssueRequest {
  commonName: string | undefined;
  sans: San[];
  publicKey: x509.PublicKey;
  requestedMs: number | undefined;
  provisioner: string;
  how: IssuanceKind;
  actor: string;
  renewedFrom?: string;
  notAfterAt?: Date | undefined;
}

/**
 * The certificate authority proper (step-ca's `authority`): signs CSRs authorized by a provisioner
 * (one-time token or ACME order), renews certificates it issued while they are valid and not
 * revoked, revokes, and records everything it issues (inventory) and every decision (audit log).
 */
export class Authority {
  constructor(
    private readonly keys: CaKeys,
    private readonly deps: AuthorityDeps,
  ) {}

  get rootPem(): string {
    return this.keys.rootPem;
  }

  get intermediatePem(): string {
    return this.keys.intermediatePem;
  }

  get allowsRenewalAfterExpiry(): boolean {
    return this.deps.allowRenewalAfterExpiry ?? false;
  }

  get intermediateNotAfter(): Date {
    return new Date(this.keys.intermediate.validTo);
  }

  /** `POST /1.0/sign`: a CSR with a one-time token. `requestedMs` is clamped to the lifetime bounds. */
  async sign(csrPem: string, token: string, requestedMs?: number): Promise<SignedCertificate> {
    return this.audited('sign', async () => {
      const auth = await this.deps.provisioners.authorizeSign(token);
      const csr = await readCsr(csrPem);
      checkCsrAllowed(csr, auth.options);
      auth.options.policy?.check(csr.sans);
      if (!this.deps.tokens.use(auth.token)) {
        throw new UnauthorizedError('PKI_TOKEN_REUSED', `token ${auth.token.jti} was already used; one-time tokens are accepted once, mint a new one`);
      }
      return this.issue({
        commonName: csr.commonName ?? auth.options.subject,
        sans: csr.sans,
        publicKey: csr.publicKey,
        requestedMs: requestedMs ?? auth.options.lifetimeMs,
        provisioner: auth.options.provisioner,
        how: 'sign',
        actor: `token:${auth.token.subject}`,
      });
    });
  }

  /**
   * Issues for a request another provisioner already authorized (an ACME order whose names were
   * validated): applies its name policy and the lifetime bounds, records and audits.
   */
  async signAuthorized(csr: CertificateRequest, options: SignOptions & { actor: string; notAfter?: Date | undefined }): Promise<SignedCertificate> {
    return this.audited('sign', async () => {
      options.policy?.check(csr.sans);
      const requestedMs = options.notAfter ? options.notAfter.getTime() - Date.now() : options.lifetimeMs;
      return this.issue({ commonName: csr.commonName, sans: csr.sans, publicKey: csr.publicKey, requestedMs, provisioner: options.provisioner, how: 'sign', actor: options.actor });
    }, { provisioner: options.provisioner, actor: options.actor, sans: csr.sans.map(describeSan) });
  }

  /**
   * A certificate for the CA's own listener, without a token (in-process only; never reachable
   * over the API).
   */
  async signOwn(csrPem: string, provisioner: string): Promise<SignedCertificate> {
    const csr = await readCsr(csrPem);
    return this.issue({ commonName: csr.commonName, sans: csr.sans, publicKey: csr.publicKey, requestedMs: undefined, provisioner, how: 'sign', actor: 'ca' });
  }

  /**
   * `POST /1.0/renew`: a new certificate for the same key and names, given the current one (which
   * the caller proved to hold). Refused once it has expired (unless configured otherwise), when it
   * is revoked, or when this CA did not issue it.
   */
  async renew(leafPem: string, now = new Date()): Promise<SignedCertificate> {
    const leaf = new X509Certificate(leafPem);
    return this.audited('renew', async () => {
      const record = checkRenewable(leaf, {
        intermediate: this.keys.intermediate,
        certificates: this.deps.certificates,
        revocations: this.deps.revocations,
        now,
        allowAfterExpiry: this.deps.allowRenewalAfterExpiry ?? false,
      });
      const cert = new x509.X509Certificate(leafPem);
      const sanExt = cert.getExtension(x509.SubjectAlternativeNameExtension);
      const sans: San[] = (sanExt?.names.items ?? []).map((n) => ({ type: n.type === 'url' ? 'uri' : n.type === 'ip' ? 'ip' : 'dns', value: n.value }));
      return this.issue({
        commonName: cert.subjectName.getField('CN')[0],
        sans,
        publicKey: cert.publicKey,
        requestedMs: record.lifetimeMs,
        provisioner: record.provisioner,
        how: 'renew',
        actor: `cert:${record.serial}`,
        renewedFrom: record.serial,
      });
    }, { actor: `cert:${leaf.serialNumber}`, serial: leaf.serialNumber });
  }

  /**
   * Revokes a certificate this CA issued. `by` says who asked (admin token subject, ACME account,
   * the certificate's own key). 404 for an unknown serial, 409 when already revoked.
   */
  async revoke(serial: string, reason: RevocationReasonCode, by: string): Promise<void> {
    await this.audited('revoke', async () => {
      const record = this.deps.certificates.find(serial);
      if (!record) throw new NotFoundError('PKI_REVOKE_UNKNOWN', `no certificate with serial ${serial} was issued by this CA`);
      const fresh = this.deps.revocations.revoke({ serial: record.serial, revokedAt: new Date(), reason, revokedBy: by, notAfter: record.notAfter });
      if (!fresh) throw new ConflictError('PKI_ALREADY_REVOKED', `certificate ${record.serial} is already revoked`);
      this.deps.observer?.revoked?.(record.provisioner);
      await this.deps.onRevoked?.();
    }, { actor: by, serial, detail: `reason ${reason}` });
  }

  isRevoked(serial: string): boolean {
    return this.deps.revocations.isRevoked(serial);
  }

  private async audited<T>(action: AuditAction, work: () => Promise<T>, context: { provisioner?: string; actor?: string; serial?: string; sans?: string[]; detail?: string } = {}): Promise<T> {
    try {
      const result = await work();
      if (action === 'revoke') this.deps.audit.append({ at: new Date(), action, outcome: 'ok', ...context });
      return result;
    } catch (err) {
      const detail = err instanceof PhoenixError ? `${err.code}: ${err.message}` : String(err);
      this.deps.audit.append({ at: new Date(), action, outcome: 'refused', ...context, detail });
      throw err;
    }
  }

  private async issue(request: IssueRequest): Promise<SignedCertificate> {
    const now = Date.now();
    const validity = leafValidity(this.deps.lifetime, { requestedMs: request.requestedMs, now, issuerNotAfter: this.intermediateNotAfter });
    const cert = await createLeafCertificate(this.keys.signer, { commonName: request.commonName, sans: request.sans, publicKey: request.publicKey, validity });
    const crt = withNewline(cert.toString('pem'));
    const facts = new X509Certificate(crt);
    const sans = request.sans.map(describeSan);
    this.deps.certificates.record({
      serial: facts.serialNumber,
      subject: request.commonName ?? '',
      sans,
      provisioner: request.provisioner,
      notBefore: new Date(facts.validFrom),
      notAfter: new Date(facts.validTo),
      lifetimeMs: validity.lifetimeMs,
      created: new Date(now),
      how: request.how,
      ...(request.renewedFrom ? { renewedFrom: request.renewedFrom } : {}),
      pem: crt,
    });
    this.deps.audit.append({ at: new Date(now), action: request.how, outcome: 'ok', provisioner: request.provisioner, actor: request.actor, subject: request.commonName, sans, serial: facts.serialNumber });
    this.deps.observer?.issued(request.how, request.provisioner);
    const ca = withNewline(this.keys.intermediatePem);
    return { crt, ca, certChain: [crt, ca] };
  }
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
