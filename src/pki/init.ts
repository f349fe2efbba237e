import { existsSync, mkdirSync, readFileSync, chmodSync } from 'node:fs';
import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose';
import type { Logger } from 'pino';
import { DEFAULT_TRUST_DOMAIN } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import { silentLogger } from '../core/log.js';
import type { ProvisionerKey } from '../core/ca-client/token.js';
import { caLayout, type CaLayout } from './layout.js';
import { encryptPrivateKey, generateCaKey } from './authority/key-file.js';
import { certificateFingerprint, createIntermediateCertificate, createRootCertificate, TEN_YEARS_MS } from './authority/ca-certificates.js';
import { readCaSettings, type CaSettings } from './settings.js';
import { generatePassword, readPasswordFile, writeFileAtomic } from './secret-files.js';

/** Name of the JWK provisioner `initCa` creates. */
export const DEFAULT_PROVISIONER = 'phoenix';
/** Name of the provisioner of host enrollment tokens (agents joining the platform). */
export const ENROLL_PROVISIONER = 'enroll';

export interface InitCaOptions {
  dataDir: string;
  /** Default `phoenix.internal`. When the CA exists already, it must match what was recorded. */
  trustDomain?: string;
  /** A file holding the CA password; without it one is generated into `secrets/password`. */
  passwordFile?: string;
  logger?: Logger;
  /** Validity of the root and intermediate (default ten years each). */
  rootLifetimeMs?: number;
  intermediateLifetimeMs?: number;
}

export interface InitCaResult {
  /** False when the data directory already held a CA (nothing was changed). */
  created: boolean;
  trustDomain: string;
  rootCertFile: string;
  /** SHA-256 fingerprint of the root, lower-case hex. */
  rootFingerprint: string;
  provisionerKeyFile: string;
  /** The file the CA password is read from. */
  passwordFile: string;
}

/**
 * Creates a CA in `dataDir` (`phoenix ca init`; also run by `startCa` on first start): an ECDSA
 * P-256 root (10 y, pathLen 1) and intermediate (pathLen 0), both keys encrypted with the CA password,
 * and the `phoenix` JWK provisioner. Idempotent: an existing CA is left untouched.
 */
export async function initCa(options: InitCaOptions): Promise<InitCaResult> {
  const layout = caLayout(options.dataDir);
  const logger = options.logger ?? silentLogger();
  const passwordFile = options.passwordFile ?? layout.passwordFile;
  if (existsSync(layout.caJson)) {
    const settings = readCaSettings(layout.caJson);
    if (options.trustDomain !== undefined && options.trustDomain !== settings.trustDomain) {
      throw new ConfigError(
        `the CA in ${layout.dataDir} was created for trust domain "${settings.trustDomain}", not "${options.trustDomain}"; use a new data directory for another trust domain`,
      );
    }
    await ensureEnrollProvisioner(layout);
    return result(false, layout, settings.trustDomain, passwordFile);
  }
  for (const file of [layout.rootCert, layout.rootKey, layout.intermediateCert, layout.intermediateKey]) {
    if (existsSync(file)) {
      throw new ConfigError(`${layout.dataDir} holds ${file} but no ca.json: a CA initialization was interrupted or ca.json was removed; restore ca.json or move the directory aside`);
    }
  }
  const trustDomain = options.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  mkdirSync(layout.dataDir, { recursive: true, mode: 0o700 });
  mkdirSync(layout.secretsDir, { recursive: true, mode: 0o700 });
  chmodSync(layout.secretsDir, 0o700);
  const password = obtainPassword(options.passwordFile, layout);

  const now = Date.now();
  const notBefore = new Date(now - 60_000);
  const rootKey = generateCaKey();
  const rootNotAfter = new Date(now + (options.rootLifetimeMs ?? TEN_YEARS_MS));
  const rootPem = await createRootCertificate(rootKey, { trustDomain, notBefore, notAfter: rootNotAfter });
  const intermediateKey = generateCaKey();
  const intermediateNotAfter = new Date(Math.min(rootNotAfter.getTime(), now + (options.intermediateLifetimeMs ?? TEN_YEARS_MS)));
  const intermediatePem = await createIntermediateCertificate(intermediateKey, { certPem: rootPem, key: rootKey }, { trustDomain, notBefore, notAfter: intermediateNotAfter });
  const provisioner = await createJwkProvisioner(DEFAULT_PROVISIONER);

  writeFileAtomic(layout.rootKey, encryptPrivateKey(rootKey, password), 0o600);
  writeFileAtomic(layout.intermediateKey, encryptPrivateKey(intermediateKey, password), 0o600);
  writeFileAtomic(layout.rootCert, rootPem, 0o644);
  writeFileAtomic(layout.intermediateCert, intermediatePem, 0o644);
  writeFileAtomic(layout.provisionerKeyFile, `${JSON.stringify(provisioner.privateKey, null, 2)}\n`, 0o600);
  const settings: CaSettings = {
    version: 1,
    trustDomain,
    createdAt: new Date(now).toISOString(),
    provisioners: [provisioner.record],
  };
  writeFileAtomic(layout.caJson, `${JSON.stringify(settings, null, 2)}\n`, 0o644);
  await ensureEnrollProvisioner(layout);
  const created = result(true, layout, trustDomain, passwordFile);
  logger.info({ dataDir: layout.dataDir, trustDomain, rootFingerprint: created.rootFingerprint }, 'CA initialized');
  return created;
}

/**
 * Adds the `enroll` JWK provisioner (host enrollment tokens) to a CA that lacks it — new CAs at
 * init, CAs created before it existed at their next start. Its private key goes to
 * `secrets/enroll-provisioner.json` (0600), its public key to ca.json.
 */
export async function ensureEnrollProvisioner(layout: CaLayout): Promise<void> {
  const settings = readCaSettings(layout.caJson);
  if (settings.provisioners.some((p) => p.name === ENROLL_PROVISIONER)) return;
  const enroll = await createJwkProvisioner(ENROLL_PROVISIONER);
  writeFileAtomic(layout.enrollKeyFile, `${JSON.stringify(enroll.privateKey, null, 2)}\n`, 0o600);
  writeFileAtomic(layout.caJson, `${JSON.stringify({ ...settings, provisioners: [...settings.provisioners, enroll.record] }, null, 2)}\n`, 0o644);
}

/** The CA password: from the configured file, else the generated one (created on first use). */
export function obtainPassword(configuredFile: string | undefined, layout: CaLayout): string {
  if (configuredFile !== undefined) return readPasswordFile(configuredFile);
  if (existsSync(layout.passwordFile)) return readPasswordFile(layout.passwordFile);
  const password = generatePassword();
  writeFileAtomic(layout.passwordFile, `${password}\n`, 0o600);
  return password;
}

async function createJwkProvisioner(name: string): Promise<{ privateKey: ProvisionerKey; record: CaSettings['provisioners'][number] }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
  const privateJwk = await exportJWK(privateKey);
  return {
    privateKey: { name, kid, key: { ...privateJwk, kid, alg: 'ES256', use: 'sig' } },
    record: { type: 'JWK', name, kid, key: { ...publicJwk, kid, alg: 'ES256', use: 'sig' } },
  };
}

function result(created: boolean, layout: CaLayout, trustDomain: string, passwordFile: string): InitCaResult {
  return {
    created,
    trustDomain,
    rootCertFile: layout.rootCert,
    rootFingerprint: certificateFingerprint(readFileSync(layout.rootCert, 'utf8')),
    provisionerKeyFile: layout.provisionerKeyFile,
    passwordFile,
  };
}
