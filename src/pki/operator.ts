import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'undici';
import { loadProvisionerKey, renewCertificate, signCertificate, type CaEndpoint, type SignedCertificate } from '../core/ca-client/index.js';
import { ConfigError, PhoenixError, UnavailableError } from '../core/errors.js';
import { mintAdminToken, REVOKE_TOKEN_PATH } from './admin-token.js';
import { certificateFingerprint } from './authority/ca-certificates.js';
import { readEncryptedKey } from './authority/key-file.js';
import { caLayout } from './layout.js';
import { readPasswordFile } from './secret-files.js';
import { CaStore, type AuditEntry } from './store/index.js';

/**
 * Operator commands that talk to a running CA or read its data directory (`phoenix ca bootstrap |
 * sign | renew | revoke | list | crl | audit | offline-root`). The CLI parses and prints.
 */

/**
 * `bootstrap`: fetches the root from `caUrl` without trusting anything yet, accepts it only if its
 * SHA-256 fingerprint is `fingerprint`, then checks that the CA's own TLS certificate chains to it.
 */
export async function bootstrapRoot(caUrl: string, fingerprint: string): Promise<string> {
  const wanted = fingerprint.replace(/:/g, '').toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(wanted)) throw new ConfigError('the fingerprint must be a SHA-256 hex digest (64 hex digits)');
  // Nothing is trusted yet: the answer is accepted only because its fingerprint is the one given.
  const insecure = new Agent({ connect: { rejectUnauthorized: false } });
  let pem: string | undefined;
  try {
    const res = await request(new URL(`/root/${wanted}`, caUrl), { dispatcher: insecure });
    const text = await res.body.text();
    pem = res.statusCode === 200 ? (JSON.parse(text) as { ca?: string }).ca : undefined;
  } catch (err) {
    throw new UnavailableError('CA_UNREACHABLE', `cannot reach ${caUrl}: ${(err as Error).message}`);
  } finally {
    await insecure.close();
  }
  if (!pem) throw new PhoenixError('PKI_BOOTSTRAP_FAILED', 502, `the CA at ${caUrl} has no root with fingerprint ${wanted}`);
  if (certificateFingerprint(pem) !== wanted) throw new PhoenixError('PKI_BOOTSTRAP_FAILED', 502, `the root the CA sent does not have fingerprint ${wanted}; refusing it`);
  const agent = new Agent({ connect: { ca: pem } });
  try {
    const res = await request(new URL('/health', caUrl), { dispatcher: agent });
    await res.body.text();
  } catch (err) {
    throw new PhoenixError('PKI_BOOTSTRAP_FAILED', 502, `the CA's TLS certificate does not chain to the root with that fingerprint: ${(err as Error).message}`);
  } finally {
    await agent.close();
  }
  return pem;
}

export function endpointOf(caUrl: string, rootFile: string): CaEndpoint {
  if (!existsSync(rootFile)) throw new ConfigError(`no root certificate at ${rootFile}; run \`phoenix ca bootstrap --ca-url URL --fingerprint FP\` first`);
  return { url: caUrl, rootPem: readFileSync(rootFile, 'utf8') };
}

export function signWithToken(endpoint: CaEndpoint, csrPem: string, token: string): Promise<SignedCertificate> {
  return signCertificate(endpoint, csrPem, token);
}

export function renewWithCertificate(endpoint: CaEndpoint, certChainPem: string, keyPem: string): Promise<SignedCertificate> {
  return renewCertificate(endpoint, keyPem, certChainPem);
}

/** Revokes a serial: as admin with a token minted from the provisioner key, or as holder over mTLS. */
export async function revokeSerial(endpoint: CaEndpoint, serial: string, reasonCode: number, auth: { provisionerKeyFile: string } | { certPem: string; keyPem: string }): Promise<void> {
  const body: Record<string, unknown> = { serial, reasonCode };
  if ('provisionerKeyFile' in auth) body['ott'] = await mintAdminToken(loadProvisionerKey(auth.provisionerKeyFile), { subject: serial, path: REVOKE_TOKEN_PATH, caUrl: endpoint.url });
  const agent = new Agent({ connect: { ca: endpoint.rootPem, ...('certPem' in auth ? { cert: auth.certPem, key: auth.keyPem } : {}) } });
  try {
    const res = await request(new URL('/1.0/revoke', endpoint.url), { method: 'POST', dispatcher: agent, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new PhoenixError('CA_REQUEST_FAILED', res.statusCode, `revocation failed (${res.statusCode}): ${(JSON.parse(text) as { message?: string }).message ?? text}`);
  } finally {
    await agent.close();
  }
}

/** The current CRL as PEM (`GET /1.0/crl?pem=true`). */
export async function fetchCrl(endpoint: CaEndpoint): Promise<string> {
  const agent = new Agent({ connect: { ca: endpoint.rootPem } });
  try {
    const res = await request(new URL('/1.0/crl?pem=true', endpoint.url), { dispatcher: agent });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new PhoenixError('CA_REQUEST_FAILED', res.statusCode, `GET /1.0/crl failed (${res.statusCode}): ${text}`);
    return text;
  } finally {
    await agent.close();
  }
}

export interface InventoryRow {
  serial: string;
  subject: string;
  sans: string[];
  provisioner: string;
  notAfter: Date;
  status: 'valid' | 'expired' | 'revoked';
}

/** The issued-certificate inventory from the CA's database, newest first. */
export async function listCertificates(dataDir: string, options: { all?: boolean; limit?: number } = {}): Promise<InventoryRow[]> {
  const store = openStore(dataDir);
  try {
    const now = new Date();
    return store.certificates.list({ ...(options.all ? {} : { notAfterFrom: now }), limit: options.limit ?? 1000 }).map((c) => ({
      serial: c.serial,
      subject: c.subject,
      sans: c.sans,
      provisioner: c.provisioner,
      notAfter: c.notAfter,
      status: store.revocations.isRevoked(c.serial) ? 'revoked' : c.notAfter <= now ? 'expired' : 'valid',
    }));
  } finally {
    await store.close();
  }
}

export async function auditLog(dataDir: string, limit = 50): Promise<AuditEntry[]> {
  const store = openStore(dataDir);
  try {
    return store.audit.latest(limit);
  } finally {
    await store.close();
  }
}

function openStore(dataDir: string): CaStore {
  const file = caLayout(dataDir).database;
  if (!existsSync(file)) throw new ConfigError(`no CA database at ${file}`);
  return CaStore.open(file);
}

/**
 * Offline root (step-ca's practice): copies the encrypted root key to `out` (mode 0600), checks the
 * copy decrypts to the same key, then removes it from the CA host. The CA never needs it to run;
 * it is needed again only to sign a new intermediate.
 */
export function takeRootOffline(dataDir: string, out: string, passwordFile?: string): { fingerprint: string } {
  const layout = caLayout(dataDir);
  if (!existsSync(layout.rootKey)) throw new ConfigError(`no root key at ${layout.rootKey}: it is already offline`);
  if (existsSync(out)) throw new ConfigError(`${out} exists; refusing to overwrite it`);
  copyFileSync(layout.rootKey, out);
  chmodSync(out, 0o600);
  const password = readPasswordFile(passwordFile ?? layout.passwordFile);
  const a = readEncryptedKey(layout.rootKey, password).export({ format: 'der', type: 'pkcs8' });
  const b = readEncryptedKey(out, password).export({ format: 'der', type: 'pkcs8' });
  if (!a.equals(b)) throw new ConfigError(`the copy at ${out} does not match; the root key was left in place`);
  rmSync(layout.rootKey);
  return { fingerprint: createHash('sha256').update(new X509Certificate(readFileSync(layout.rootCert)).raw).digest('hex') };
}
