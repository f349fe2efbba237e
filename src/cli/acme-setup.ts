/**
 * How `phoenix up` has the router and gateway get their certificates through ACME from the CA (as
 * Traefik does from step-ca): one ACME provisioner per role, each requiring an external account
 * binding (the role's one-time token buys the EAB key, which binds its SPIFFE ID), offering http-01
 * only, validated on a challenge port of the role's own, and limited by a name policy to that
 * role's identities on this host. The default `acme` provisioner stays open for other clients.
 *
 * Why http-01 on a port of its own: tls-alpn-01 must be answered on the port the CA dials with a
 * special certificate picked by ALPN, and Node picks a listener's certificate (SNI callback) before
 * it sees the ALPN list, so the role's live listener cannot answer it; a short-lived plain-HTTP
 * responder on a port nothing else uses can, on one host, with no change to the data path.
 */
export type AcmeRole = 'router' | 'gateway';
export const ACME_ROLES: readonly AcmeRole[] = ['router', 'gateway'];

export function acmeProvisioners(trustDomain: string, challengePorts: Record<AcmeRole, number>): Array<Record<string, unknown>> {
  return [
    { name: 'acme' },
    ...ACME_ROLES.map((role) => ({
      name: role,
      requireEab: true,
      challenges: ['http-01'],
      challengePorts: { http01: challengePorts[role] },
      policy: { allow: { dns: ['localhost'], ips: ['127.0.0.1'], uris: [`spiffe://${trustDomain}/${role}/*`] } },
    })),
  ];
}

/** The `identity.acme` section of a role's config. */
export function acmeIdentitySection(caUrl: string, role: AcmeRole, challengePort: number): { directory: string; challengePort: number } {
  return { directory: `${caUrl}/acme/${role}/directory`, challengePort };
}
