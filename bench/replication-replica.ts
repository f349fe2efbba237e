/**
 * One vector replica for `bench:replication`, in its own process as on a real host: `startVector`
 * on a data directory with its mTLS listener on 127.0.0.1. Its identity is certified by the
 * driver's test CA over IPC (the driver is the CA). Argv: dataDir, name, mode (`standalone` — a
 * replica set of one, no replication log — or `managed` — waits for an assignment, as an agent
 * starts it for the hub). Answers `{ type: 'ready', url }`, closes on `{ type: 'close' }`.
 */
import { TEST_TRUST_DOMAIN } from '../test/fixtures/test-ca.js';
import type { SignedCertificate } from '../src/core/ca-client/index.js';
import { validateConfig } from '../src/core/config.js';
import { silentLogger } from '../src/core/log.js';
import { TlsIdentity, type CertificateIssuer } from '../src/core/tls/identity.js';
import { startVector, vectorConfigSchema } from '../src/vector/main.js';

const [dataDir, name, mode] = process.argv.slice(2) as [string, string, 'standalone' | 'managed'];
const rootPem = process.env['BENCH_ROOT_PEM']!;

let next = 0;
const pending = new Map<number, (c: SignedCertificate) => void>();
process.on('message', (m: { type: string; id?: number; signed?: SignedCertificate }) => {
  if (m.type === 'signed' && m.id !== undefined && m.signed) pending.get(m.id)?.(m.signed);
  if (m.type === 'close') void close();
});

function sign(csrPem: string): Promise<SignedCertificate> {
  const id = next++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    process.send!({ type: 'sign', id, csrPem });
  });
}

const issuer: CertificateIssuer = { rootPem, issue: (_key, csr) => sign(csr), renew: () => Promise.reject(new Error('no renewal in a benchmark')) };
const identity = await TlsIdentity.obtain({ trustDomain: TEST_TRUST_DOMAIN, role: 'vector', name, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] }, issuer, { logger: silentLogger() });
const config = validateConfig(vectorConfigSchema, { name, trustDomain: TEST_TRUST_DOMAIN, dataDir, log: { level: 'silent' }, listen: { host: '127.0.0.1', port: 0 }, replication: { mode } }, 'vector');
const handle = await startVector(config, { identity, logger: silentLogger() });
process.send!({ type: 'ready', url: handle.endpoints['api'] });

async function close(): Promise<void> {
  await handle.close();
  process.exit(0);
}
