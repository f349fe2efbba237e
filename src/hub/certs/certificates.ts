import type { PeerCertificate, TLSSocket } from 'node:tls';
import { NotFoundError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { identityOfCertificate } from '../../core/tls/spiffe.js';
import type { TlsIdentity } from '../../core/tls/identity.js';
import type { CaAdmin, IssuedCertificate } from './ca-admin.js';
import { normalizeSerial, type Revocations } from './revocations.js';

/** A certificate as the console shows it. */
export interface CertificateView {
  serial: string;
  /** The SPIFFE identity (or subject) it certifies. */
  identity: string;
  sans: string[];
  notBefore: number | null;
  notAfter: number;
  /** The CA provisioner that issued it (`phoenix`, `enroll`, `acme`, …), when the CA's inventory says. */
  provisioner: string | null;
  /** `ca`: from the CA's inventory; `seen`: presented to the hub (the CA offers no inventory). */
  source: 'ca' | 'seen';
  status: 'valid' | 'expiring' | 'expired' | 'revoked';
  revokedAt: number | null;
  revocationReason: string | null;
  /** Last time the hub saw it presented, if it did. */
  lastSeenAt: number | null;
}

interface Seen {
  serial: string;
  identity: string;
  sans: string[];
  notBefore: number | null;
  notAfter: number;
  lastSeenAt: number;
}

/** RFC 5280 reason codes a console user may pick. */
export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

/** Certificates that expired longer ago than this are left out of the CA's inventory as the hub shows it. */
const EXPIRED_SHOWN_MS = 24 * 3_600_000;

/**
 * The certificate inventory and the revoke action. The list comes from the CA's inventory (every
 * certificate it issued, by any provisioner: tokens, enrollment, ACME, `phoenix ca sign`), else —
 * CA unreachable or without one — from the certificates the hub itself holds and sees presented.
 * Revoking goes to the CA first; once it is revoked there, the hub also refuses it itself and
 * cuts the connections made with it at once (the CRL then reaches every other listener).
 */
export class Certificates {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly ca: CaAdmin,
    private readonly revocations: Revocations,
    private readonly own: TlsIdentity,
    private readonly logger: Logger,
    private readonly expiringWithinMs = 2 * 3_600_000,
  ) {}

  /** Records a client certificate presented on a verified TLS connection. */
  record(socket: TLSSocket, now = Date.now()): void {
    if (!socket.authorized) return;
    const cert = socket.getPeerCertificate();
    if (!cert?.serialNumber) return;
    this.remember(cert, now);
  }

  /** Records a certificate an agent reports for an instance it runs (the hub never sees those presented). */
  reported(serial: string, identity: string, notAfter: number, by: string, now = Date.now()): void {
    const hex = normalizeSerial(serial);
    const prev = this.seen.get(hex);
    if (prev) {
      prev.lastSeenAt = now;
      return;
    }
    this.seen.set(hex, { serial: hex, identity, sans: [`reported by ${by}`], notBefore: null, notAfter, lastSeenAt: now });
  }

  async list(now = Date.now()): Promise<{ source: 'ca' | 'seen'; certificates: CertificateView[]; caError: string | null }> {
    this.remember(undefined, now);
    let issued: IssuedCertificate[] | undefined;
    let caError: string | null = null;
    try {
      issued = await this.ca.inventory(now - EXPIRED_SHOWN_MS);
    } catch (err) {
      caError = (err as Error).message;
    }
    const revoked = new Map(this.revocations.list().map((r) => [normalizeSerial(r.serial), { revokedAt: r.revokedAt, reason: r.reason }]));
    const view = (c: Omit<CertificateView, 'status' | 'revokedAt' | 'revocationReason'>, atCa?: IssuedCertificate['revocation']): CertificateView => {
      const r = revoked.get(c.serial) ?? (atCa ? { revokedAt: atCa.revokedAt, reason: atCa.reason } : undefined);
      const status = r ? 'revoked' : c.notAfter <= now ? 'expired' : c.notAfter - now <= this.expiringWithinMs ? 'expiring' : 'valid';
      return { ...c, status, revokedAt: r?.revokedAt ?? null, revocationReason: r?.reason ?? null };
    };
    if (issued) {
      const certificates = issued.map((c) =>
        view(
          { serial: c.serial, identity: c.sans.find((s) => s.startsWith('spiffe://')) ?? c.subject, sans: c.sans, notBefore: c.notBefore, notAfter: c.notAfter, provisioner: c.provisioner, source: 'ca', lastSeenAt: this.seen.get(c.serial)?.lastSeenAt ?? null },
          c.revocation,
        ),
      );
      return { source: 'ca', certificates: certificates.sort((a, b) => b.notAfter - a.notAfter), caError };
    }
    const certificates = [...this.seen.values()].map((s) => view({ ...s, provisioner: null, source: 'seen' }));
    return { source: 'seen', certificates: certificates.sort((a, b) => a.identity.localeCompare(b.identity) || b.notAfter - a.notAfter), caError };
  }

  /** Revokes at the CA, then enforces it here; returns how many open connections were cut. */
  async revoke(serial: string, reason: RevocationReason, by: string): Promise<{ serial: string; identity: string | null; disconnected: number }> {
    const hex = normalizeSerial(serial);
    if (!/^[0-9A-F]{1,80}$/.test(hex)) throw new NotFoundError('HUB_CERTIFICATE_NOT_FOUND', `"${serial}" is not a certificate serial`);
    await this.ca.revoke(hex, REVOCATION_REASONS[reason], reason);
    const identity = this.seen.get(hex)?.identity ?? null;
    const disconnected = this.revocations.revoke({ serial: hex, subject: identity, revokedAt: Date.now(), reason, revokedBy: by });
    this.logger.info({ serial: hex, identity, reason, by, disconnected }, 'certificate revoked');
    return { serial: hex, identity, disconnected };
  }

  /** Takes in revocations made elsewhere (e.g. `phoenix ca revoke`) from the CA's CRL. */
  async syncCrl(): Promise<number> {
    const serials = await this.ca.revokedSerials();
    let added = 0;
    for (const serial of serials) {
      if (this.revocations.isRevoked(serial)) continue;
      this.revocations.revoke({ serial, subject: this.seen.get(serial)?.identity ?? null, revokedAt: Date.now(), reason: 'listed in the CA’s CRL', revokedBy: 'ca' });
      added++;
    }
    return added;
  }

  private remember(cert: PeerCertificate | undefined, now: number): void {
    // The hub's own certificate is always part of what it knows.
    const own = this.own.current;
    const ownSerial = normalizeSerial(own.serialNumber);
    if (!this.seen.has(ownSerial)) {
      this.seen.set(ownSerial, { serial: ownSerial, identity: this.own.id.uri, sans: [...this.own.sans.uris, ...this.own.sans.dnsNames, ...this.own.sans.ipAddresses], notBefore: own.notBefore.getTime(), notAfter: own.notAfter.getTime(), lastSeenAt: now });
    }
    if (!cert) return;
    const serial = normalizeSerial(cert.serialNumber);
    const prev = this.seen.get(serial);
    if (prev) {
      prev.lastSeenAt = now;
      return;
    }
    const sans = (cert.subjectaltname ?? '').split(/,\s*/).filter(Boolean).map((s) => s.replace(/^(URI|DNS|IP Address):/, ''));
    this.seen.set(serial, { serial, identity: identityOfCertificate(cert)?.uri ?? String(cert.subject?.CN ?? serial), sans, notBefore: Date.parse(cert.valid_from), notAfter: Date.parse(cert.valid_to), lastSeenAt: now });
    // Keep the list bounded: drop certificates expired for a day.
    if (this.seen.size > 5000) for (const [k, v] of this.seen) if (v.notAfter < now - 86_400_000) this.seen.delete(k);
  }
}
