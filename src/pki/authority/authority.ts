import { X509Certificate } from 'node:crypto';
import { UnauthorizedError } from '../../core/errors.js';
import type { SignedCertificate } from '../../core/ca-client/client.js';
import { x509 } from '../../core/tls/x509.js';
import type { LifetimePolicy } from '../config.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import type { CertificateRecords, IssuanceKind } from '../store/certificates.js';
import type { TokenLedger } from '../store/tokens.js';
import type { CaKeys } from './ca-keys.js';
import { checkCsrAllowed, readCsr } from './csr.js';
import { createLeafCertificate } from './leaf.js';
import { leafValidity } from './lifetime.js';
import { checkRenewable } from './renewal.js';
import { describeSan, type San } from './sans.js';

/** Told about every certificate issued (metrics, audit). */
export interface AuthorityObserver {
  issued(how: IssuanceKind, provisioner: string): void;
}

export interface AuthorityDeps {
  provisioners: ProvisionerSet;
  tokens: TokenLedger;
  certificates: CertificateRecords;
  lifetime: LifetimePolicy;
  observer?: AuthorityObserver;
}

interface IssueRequest {
  commonName: string | undefined;
  sans: San[];
  publicKey: x509.PublicKey;
  requestedMs: number | undefined;
  provisioner: string;
  how: IssuanceKind;
  renewedFrom?: string;
}

/**
 * The certificate authority proper (step-ca's `authority`): signs CSRs authorized by a provisioner,
 * renews certificates it issued while they are valid, and records everything it issues.
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

  get intermediateNotAfter(): Date {
    return new Date(this.keys.intermediate.validTo);
  }

  /** `POST /1.0/sign`: a CSR with a one-time token. `requestedMs` is clamped to the lifetime bounds. */
  async sign(csrPem: string, token: string, requestedMs?: number): Promise<SignedCertificate> {
    const auth = await this.deps.provisioners.authorizeSign(token);
    const csr = await readCsr(csrPem);
    checkCsrAllowed(csr, auth.options);
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
    });
  }

  /**
   * A certificate for the CA's own listener, without a token (in-process only; never reachable
   * over the API).
   */
  async signOwn(csrPem: string, provisioner: string): Promise<SignedCertificate> {
    const csr = await readCsr(csrPem);
    return this.issue({ commonName: csr.commonName, sans: csr.sans, publicKey: csr.publicKey, requestedMs: undefined, provisioner, how: 'sign' });
  }

  /**
   * `POST /1.0/renew`: a new certificate for the same key and names, given the current one (which
   * the caller proved to hold over mTLS). Refused once it has expired or when this CA did not issue it.
   */
  async renew(leafPem: string, now = new Date()): Promise<SignedCertificate> {
    const leaf = new X509Certificate(leafPem);
    const record = checkRenewable(leaf, { intermediate: this.keys.intermediate, certificates: this.deps.certificates, now });
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
      renewedFrom: record.serial,
    });
  }

  private async issue(request: IssueRequest): Promise<SignedCertificate> {
    const now = Date.now();
    const validity = leafValidity(this.deps.lifetime, { requestedMs: request.requestedMs, now, issuerNotAfter: this.intermediateNotAfter });
    const cert = await createLeafCertificate(this.keys.signer, { commonName: request.commonName, sans: request.sans, publicKey: request.publicKey, validity });
    const crt = withNewline(cert.toString('pem'));
    const facts = new X509Certificate(crt);
    this.deps.certificates.record({
      serial: facts.serialNumber,
      subject: request.commonName ?? '',
      sans: request.sans.map(describeSan),
      provisioner: request.provisioner,
      notBefore: new Date(facts.validFrom),
      notAfter: new Date(facts.validTo),
      lifetimeMs: validity.lifetimeMs,
      created: new Date(now),
      how: request.how,
      ...(request.renewedFrom ? { renewedFrom: request.renewedFrom } : {}),
      pem: crt,
    });
    this.deps.observer?.issued(request.how, request.provisioner);
    const ca = withNewline(this.keys.intermediatePem);
    return { crt, ca, certChain: [crt, ca] };
  }
}

function withNewline(pem: string): string {
  return pem.endsWith('\n') ? pem : `${pem}\n`;
}
