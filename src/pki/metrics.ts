import { Counter, Gauge, Registry } from 'prom-client';
import type { AuthorityObserver } from './authority/authority.js';
import type { IssuanceKind } from './store/certificates.js';

/** The CA's Prometheus metrics, in a registry of its own (several CAs may run in one test process). */
export class CaMetrics implements AuthorityObserver {
  readonly registry = new Registry();
  private readonly issuedTotal = new Counter({
    name: 'phoenix_ca_certificates_issued_total',
    help: 'Certificates issued from a CSR with a one-time token or an ACME order (or to the CA itself).',
    labelNames: ['provisioner'] as const,
    registers: [this.registry],
  });
  private readonly renewedTotal = new Counter({
    name: 'phoenix_ca_certificates_renewed_total',
    help: 'Certificates renewed over mTLS.',
    labelNames: ['provisioner'] as const,
    registers: [this.registry],
  });
  private readonly revokedTotal = new Counter({
    name: 'phoenix_ca_certificates_revoked_total',
    help: 'Certificates revoked (admin, ACME, or by their holder).',
    labelNames: ['provisioner'] as const,
    registers: [this.registry],
  });
  private readonly failedTotal = new Counter({
    name: 'phoenix_ca_requests_failed_total',
    help: 'API requests answered with an error, by route and error code.',
    labelNames: ['route', 'code'] as const,
    registers: [this.registry],
  });
  private readonly intermediateExpiry = new Gauge({
    name: 'phoenix_ca_intermediate_expiry_timestamp_seconds',
    help: 'When the intermediate CA certificate expires (Unix time).',
    registers: [this.registry],
  });

  constructor(intermediateNotAfter: Date) {
    this.intermediateExpiry.set(Math.floor(intermediateNotAfter.getTime() / 1000));
  }

  issued(how: IssuanceKind, provisioner: string): void {
    switch (how) {
      case 'sign':
        this.issuedTotal.inc({ provisioner });
        return;
      case 'renew':
        this.renewedTotal.inc({ provisioner });
        return;
      default: {
        const never: never = how;
        throw new Error(`unknown issuance kind ${String(never)}`);
      }
    }
  }

  revoked(provisioner: string): void {
    this.revokedTotal.inc({ provisioner });
  }

  failed(route: string, code: string): void {
    this.failedTotal.inc({ route, code });
  }
}
