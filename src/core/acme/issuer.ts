import { Agent as HttpsAgent } from 'node:https';
import * as acme from 'acme-client';
import type { Logger } from 'pino';
import type { SignedCertificate } from '../ca-client/client.js';
import { createCsrPem, generatePrivateKeyPem, splitPemChain } from '../tls/keys.js';
import type { CertificateIssuer, CertifiedKey } from '../tls/identity.js';
import { x509 } from '../tls/x509.js';
import type { ExternalAccountKey } from './eab.js';
import { Http01Responder } from './http01-responder.js';

export interface AcmeIssuerOptions {
  /** e.g. `https://localhost:9000/acme/router/directory` */
  directoryUrl: string;
  /** The CA root: the only trust for the ACME server's TLS certificate; also the identity's root. */
  rootPem: string;
  /** Port this role answers http-01 on (the provisioner's `challengePorts.http01`). */
  challengePort: number;
  /** Interface for the responder; default all. */
  challengeHost?: string;
  /** An external account binding key for the first account (from a one-time token). */
  externalAccountKey?: () => Promise<ExternalAccountKey>;
  logger: Logger;
}

const agents = new Map<string, HttpsAgent>();
let interceptorInstalled = false;

/** acme-client shares one axios instance: pick the agent that trusts the right root per CA origin. */
function trustRoot(directoryUrl: string, rootPem: string): void {
  agents.set(new URL(directoryUrl).origin, new HttpsAgent({ ca: rootPem, keepAlive: true }));
  if (interceptorInstalled) return;
  interceptorInstalled = true;
  acme.axios.interceptors.request.use((config) => {
    const agent = config.url ? agents.get(new URL(config.url).origin) : undefined;
    if (agent) config.httpsAgent = agent;
    return config;
  });
}

/**
 * A `CertificateIssuer` that gets certificates through ACME (RFC 8555) from Phoenix's CA, as
 * Traefik does from step-ca: one account per process (created with an external account binding,
 * so its certificates may carry the role's SPIFFE URI), and every issue or renewal a full order:
 * DNS/IP identifiers from the CSR, http-01 answered on the role's own challenge port, finalize,
 * download. Renewal orders a new certificate for the same key and names.
 */
export function acmeIssuer(options: AcmeIssuerOptions): CertificateIssuer {
  trustRoot(options.directoryUrl, options.rootPem);
  let client: Promise<acme.Client> | undefined;
  const account = () =>
    (client ??= (async () => {
      const eab = await options.externalAccountKey?.();
      const c = new acme.Client({
        directoryUrl: options.directoryUrl,
        accountKey: generatePrivateKeyPem(),
        ...(eab ? { externalAccountBinding: eab } : {}),
        backoffAttempts: 30,
        backoffMin: 100,
        backoffMax: 1000,
      });
      await c.createAccount({ termsOfServiceAgreed: true });
      options.logger.info({ account: c.getAccountUrl() }, 'ACME account created');
      return c;
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    }));

  const order = async (csrPem: string): Promise<SignedCertificate> => {
    const c = await account();
    const identifiers = identifiersOf(csrPem);
    const created = await c.createOrder({ identifiers });
    const responder = await Http01Responder.open(options.challengePort, options.challengeHost);
    try {
      for (const authz of await c.getAuthorizations(created)) {
        if (authz.status === 'valid') continue;
        const challenge = authz.challenges.find((ch) => ch.type === 'http-01');
        if (!challenge) throw new Error(`the CA offers no http-01 challenge for ${authz.identifier.value}`);
        responder.set(challenge.token, await c.getChallengeKeyAuthorization(challenge));
        await c.completeChallenge(challenge);
        await c.waitForValidStatus(authz);
      }
    } finally {
      await responder.close();
    }
    const finalized = await c.finalizeOrder(created, csrPem);
    const chain = splitPemChain(await c.getCertificate(finalized));
    const [crt, ca] = chain;
    if (!crt || !ca) throw new Error('the ACME certificate download did not hold a leaf and its issuer');
    return { crt, ca, certChain: chain };
  };

  return {
    rootPem: options.rootPem,
    issue: (_keyPem, csrPem) => order(csrPem),
    renew: async (current: CertifiedKey) => order(await csrForSameNames(current)),
  };
}

/** The DNS and IP names of a CSR as ACME identifiers (URI names ride on the account's binding). */
function identifiersOf(csrPem: string): Array<{ type: 'dns' | 'ip'; value: string }> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const ext = csr.getExtension('2.5.29.17');
  const names = ext ? new x509.SubjectAlternativeNameExtension(ext.rawData).names.items : [];
  return names.filter((n) => n.type === 'dns' || n.type === 'ip').map((n) => ({ type: n.type as 'dns' | 'ip', value: n.value }));
}

/** A CSR for the current key asking for the current certificate's names. */
async function csrForSameNames(current: CertifiedKey): Promise<string> {
  const cert = new x509.X509Certificate(current.certPem);
  const names = cert.getExtension(x509.SubjectAlternativeNameExtension)?.names.items ?? [];
  const pick = (type: string) => names.filter((n) => n.type === type).map((n) => n.value);
  return createCsrPem(current.keyPem, { commonName: cert.subjectName.getField('CN')[0] ?? pick('url')[0] ?? pick('dns')[0] ?? 'phoenix', dnsNames: pick('dns'), ipAddresses: pick('ip'), uris: pick('url') });
}
