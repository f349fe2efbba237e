import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { every, once, type RoleHandle } from '../core/lifecycle.js';
import { guardTlsServer, serverTlsOptions } from '../core/tls/server.js';
import { TlsIdentity } from '../core/tls/identity.js';
import type { CaConfig } from './config.js';
import { caLayout } from './layout.js';
import { ENROLL_PROVISIONER, initCa, obtainPassword } from './init.js';
import { readCaSettings } from './settings.js';
import { loadCaKeys } from './authority/ca-keys.js';
import { Authority } from './authority/authority.js';
import { ownIssuer } from './authority/own-issuer.js';
import { CrlPublisher } from './authority/crl.js';
import { JwkProvisioner } from './provisioners/jwk.js';
import { ProvisionerSet } from './provisioners/provisioner-set.js';
import { NamePolicy } from './provisioners/name-policy.js';
import { AcmeProvisioner } from './acme/provisioner.js';
import { CaStore } from './store/index.js';
import { CaMetrics } from './metrics.js';
import { createCaApi } from './api/server.js';

export interface CaHandle extends RoleHandle {
  /** The root certificate (PEM) every other role trusts. */
  readonly rootPem: string;
  /** The `phoenix` provisioner's private key file, for minting one-time tokens. */
  readonly provisionerKeyFile: string;
}

/**
 * The `ca` role: initializes the CA on first start, loads it (refusing expired CA certificates),
 * and serves the REST API over HTTPS with a certificate it issues to itself and keeps renewed.
 */
export async function startCa(config: CaConfig, deps: { logger: Logger }): Promise<CaHandle> {
  const logger = deps.logger;
  const layout = caLayout(config.dataDir);
  const init = await initCa({ dataDir: config.dataDir, trustDomain: config.trustDomain, logger, ...(config.passwordFile ? { passwordFile: config.passwordFile } : {}) });
  const settings = readCaSettings(layout.caJson);
  const keys = await loadCaKeys(layout, obtainPassword(config.passwordFile, layout));

  const abort = new AbortController();
  const store = CaStore.open(layout.database);
  let api: ReturnType<typeof createCaApi> | undefined;
  let unguard: (() => void) | undefined;
  const close = once(async () => {
    abort.abort();
    unguard?.();
    try {
      await api?.acme.close();
      await api?.app.close();
    } finally {
      await store.close();
    }
  });
  try {
    const metrics = new CaMetrics(new Date(keys.intermediate.validTo));
    const tokenCheck = { audienceHosts: [...config.dnsNames, ...config.ipAddresses], leewayMs: config.tokenLeeway };
    // Host enrollment tokens may only make agent identities unless a policy for `enroll` says otherwise.
    const enrollDefault = { allow: { uris: [`spiffe://${settings.trustDomain}/agent/*`], dns: ['*'], ips: ['0.0.0.0/0', '::/0'] }, deny: { dns: [], ips: [], uris: [] } };
    const policyOf = (name: string) => {
      const configured = config.policies[name] ?? (name === ENROLL_PROVISIONER ? enrollDefault : undefined);
      return configured ? new NamePolicy(name, configured) : undefined;
    };
    const provisioners = new ProvisionerSet(settings.provisioners.map((record) => new JwkProvisioner(record, tokenCheck, policyOf(record.name))));
    const crl = new CrlPublisher(keys.signer, store.revocations, config.crl.interval);
    const authority = new Authority(keys, {
      provisioners,
      tokens: store.tokens,
      certificates: store.certificates,
      revocations: store.revocations,
      audit: store.audit,
      lifetime: config.lifetime,
      allowRenewalAfterExpiry: config.allowRenewalAfterExpiry,
      observer: metrics,
      onRevoked: async () => {
        const published = await crl.regenerate();
        logger.info({ crlNumber: published.number.toString(), revoked: published.serials.length }, 'CRL regenerated after a revocation');
      },
    });
    await crl.regenerate();
    const identity = await TlsIdentity.obtain(
      { trustDomain: settings.trustDomain, role: 'ca', name: config.name, dnsNames: config.dnsNames, ipAddresses: config.ipAddresses },
      ownIssuer(authority),
      { logger: logger.child({ component: 'identity' }) },
    );
    identity.start(abort.signal);
    api = createCaApi({
      authority,
      metrics,
      logger,
      tls: serverTlsOptions(identity, 'optional'),
      provisioners,
      store,
      crl,
      acmeProvisioners: config.acme.map((p) => new AcmeProvisioner(p)),
      trustDomain: settings.trustDomain,
      audienceHosts: tokenCheck.audienceHosts,
      tokenLeewaySeconds: Math.round(config.tokenLeeway / 1000),
    });
    const app = api.app;
    await app.listen({ host: config.listen.host, port: config.listen.port });
    unguard = guardTlsServer(app.server as unknown as TlsServer, { identity, logger });
    void every(
      config.crl.interval,
      abort.signal,
      async () => {
        await crl.regenerate();
      },
      (err) => logger.warn({ err: errorMessage(err) }, 'scheduled CRL regeneration failed'),
    );
    void every(
      config.tokenPruneInterval,
      abort.signal,
      () => {
        const pruned = store.tokens.prune(new Date(Date.now() - config.tokenLeeway));
        if (pruned > 0) logger.debug({ pruned }, 'pruned expired one-time token ids');
      },
      (err) => logger.warn({ err: errorMessage(err) }, 'pruning used tokens failed'),
    );
    const port = (app.server.address() as AddressInfo).port;
    logger.info({ port, trustDomain: settings.trustDomain, rootFingerprint: init.rootFingerprint, identity: identity.id.uri }, 'CA listening');
    return {
      endpoints: { api: `https://localhost:${port}` },
      rootPem: keys.rootPem,
      provisionerKeyFile: layout.provisionerKeyFile,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
