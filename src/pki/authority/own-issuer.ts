import type { CertificateIssuer } from '../../core/tls/identity.js';
import type { Authority } from './authority.js';

/** Provisioner name recorded for the CA's own listener certificates. */
export const OWN_PROVISIONER = 'ca-self';

/**
 * The CA's own `CertificateIssuer`: its listener certificate comes straight from the local
 * authority (no token, no network), and renews the same way every other identity does.
 */
export function ownIssuer(authority: Authority): CertificateIssuer {
  return {
    rootPem: authority.rootPem,
    issue: (_keyPem, csrPem) => authority.signOwn(csrPem, OWN_PROVISIONER),
    renew: (current) => authority.renew(current.certPem),
  };
}
