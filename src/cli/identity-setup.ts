import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { loadProvisionerKey, mintToken } from '../core/ca-client/index.js';
import { durationMs, port } from '../core/config.js';
import { acmeIssuer, requestEabKey } from '../core/acme/index.js';
import { ConfigError } from '../core/errors.js';
import { attachRevocationList, remoteIssuer, revocationListFor, TlsIdentity } from '../core/tls/index.js';

/**
 * The `identity` section of a role's config file: how the process gets its first certificate.
 * Either a one-time `token` (what `phoenix up` and the agent hand out), or a `provisionerKeyFile`
 * to mint tokens itself (an operator's single-host setup).
 */
export const identitySetupSchema = z.object({
  ca: z.object({
    url: z.string().url(),
    rootFile: z.string(),
    token: z.string().optional(),
    provisionerKeyFile: z.string().optional(),
  }),
  dnsNames: z.array(z.string()).default(['localhost']),
  ipAddresses: z.array(z.string()).default(['127.0.0.1']),
  /** Also write the key and certificate chain to these files after every renewal. */
  files: z.object({ key: z.string(), cert: z.string() }).optional(),
  /**
   * Get the certificate through ACME instead of the sign API (the router and gateway under
   * `phoenix up`): `directory` of an ACME provisioner that requires EAB, the port this role answers
   * http-01 on, and the one-time token above is traded for the EAB key.
   */
  acme: z
    .object({
      directory: z.string().url().regex(/\/acme\/[^/]+\/directory$/, 'must be an ACME directory URL (…/acme/<provisioner>/directory)'),
      challengePort: port,
      challengeHost: z.string().optional(),
    })
    .optional(),
  /** The CA's CRL: downloaded every `refresh`; listeners refuse revoked peers within that time. */
  crl: z.object({ enabled: z.boolean().default(true), refresh: durationMs.prefault('30s') }).prefault({}),
});
export type IdentitySetup = z.output<typeof identitySetupSchema>;

export async function obtainIdentity(
  setup: IdentitySetup,
  who: { trustDomain: string; role: string; name: string },
  logger: Logger,
  signal?: AbortSignal,
): Promise<TlsIdentity> {
  let rootPem: string;
  try {
    rootPem = readFileSync(setup.ca.rootFile, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read the CA root certificate ${setup.ca.rootFile}: ${(err as Error).message}`);
  }
  const request = { ...who, dnsNames: setup.dnsNames, ipAddresses: setup.ipAddresses };
  let oneTime = setup.ca.token;
  const token = async (): Promise<string> => {
    if (oneTime !== undefined) {
      const t = oneTime;
      oneTime = undefined; // single use
      return t;
    }
    if (setup.ca.provisionerKeyFile) {
      const sans = TlsIdentity.sansOf(request);
      return mintToken(loadProvisionerKey(setup.ca.provisionerKeyFile), { subject: sans[sans.length - 1] as string, sans, caUrl: setup.ca.url });
    }
    throw new ConfigError('no provisioning token left: give identity.ca.token (one-time) or identity.ca.provisionerKeyFile');
  };
  const endpoint = { url: setup.ca.url, rootPem };
  const issuer = setup.acme
    ? acmeIssuer({
        directoryUrl: setup.acme.directory,
        rootPem,
        challengePort: setup.acme.challengePort,
        ...(setup.acme.challengeHost ? { challengeHost: setup.acme.challengeHost } : {}),
        externalAccountKey: async () => requestEabKey(endpoint, await token(), /\/acme\/([^/]+)\/directory$/.exec(setup.acme?.directory ?? '')?.[1] ?? 'acme'),
        logger: logger.child({ component: 'acme' }),
      })
    : remoteIssuer(endpoint, token);
  const identity = await TlsIdentity.obtain(request, issuer, { logger, ...(setup.files ? { files: setup.files } : {}) });
  if (setup.crl.enabled && signal) {
    const list = revocationListFor(identity, { caUrl: setup.ca.url, refreshMs: setup.crl.refresh, logger: logger.child({ component: 'crl' }) });
    attachRevocationList(identity, list);
    list.start(signal);
  }
  return identity;
}
