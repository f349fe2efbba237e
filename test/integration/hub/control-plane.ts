/**
 * A real control plane in this process for hub and agent tests that need the CA's HTTP API (agent
 * enrollment, certificates for `process` instances, revocation): the CA role (startCa), the hub
 * with the CA's provisioner, and agents, each on port 0 in a temp directory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadProvisionerKey, mintToken } from '../../../src/core/ca-client/index.js';
import { validateConfig } from '../../../src/core/config.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import { silentLogger } from '../../../src/core/log.js';
import { remoteIssuer, TlsIdentity } from '../../../src/core/tls/identity.js';
import { agentConfigSchema } from '../../../src/agent/config.js';
import { startAgent } from '../../../src/agent/main.js';
import { hubConfigSchema, type HubConfig } from '../../../src/hub/config.js';
import { startHub } from '../../../src/hub/main.js';
import { caConfigSchema } from '../../../src/pki/config.js';
import { caLayout } from '../../../src/pki/layout.js';
import { startCa, type CaHandle } from '../../../src/pki/main.js';
import type { TestCa } from '../../fixtures/test-ca.js';

export const TD = 'phoenix.test';
export const ADMIN = 'correct-horse-battery';
export const SERVICE_BIN = fileURLToPath(new URL('../agent/fixtures/service.js', import.meta.url));
export const REPLICA_BIN = fileURLToPath(new URL('../agent/fixtures/replica.js', import.meta.url));

export interface ControlPlane {
  dir: string;
  ca: CaHandle;
  caUrl: string;
  rootPem: string;
  rootFile: string;
  hub: RoleHandle;
  url: string;
  hubConfig: HubConfig;
  agents: Map<string, RoleHandle>;
  /** The `call()` helpers take `{ ca: { rootPem }, url }`. */
  target: { ca: TestCa; url: string };
  identity(role: string, name: string, ips?: string[]): Promise<TlsIdentity>;
  startAgent(name: string, overrides?: Record<string, unknown>, version?: string): Promise<RoleHandle>;
  stopAgent(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startControlPlane(hubOverrides: Record<string, unknown> = {}): Promise<ControlPlane> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-cp-'));
  const ca = await startCa(validateConfig(caConfigSchema, { name: 'ca', trustDomain: TD, dataDir: join(dir, 'ca'), listen: { port: 0 }, log: { level: 'silent' }, crl: { interval: '1m' } }, 'ca'), {
    logger: silentLogger(),
  });
  const caUrl = ca.endpoints['api'] as string;
  const rootFile = join(dir, 'root.pem');
  writeFileSync(rootFile, ca.rootPem);
  const provisioner = loadProvisionerKey(ca.provisionerKeyFile);
  const identity = async (role: string, name: string, ips = ['127.0.0.1']) => {
    const request = { trustDomain: TD, role, name, dnsNames: ['localhost'], ipAddresses: ips };
    const sans = TlsIdentity.sansOf(request);
    const token = await mintToken(provisioner, { subject: sans[sans.length - 1] as string, sans, caUrl });
    return TlsIdentity.obtain(request, remoteIssuer({ url: caUrl, rootPem: ca.rootPem }, async () => token), { logger: silentLogger() });
  };
  const hubConfig = validateConfig(
    hubConfigSchema,
    {
      name: 'hub1',
      trustDomain: TD,
      dataDir: join(dir, 'hub'),
      log: { level: 'silent' },
      listen: { host: '127.0.0.1', port: 0 },
      ca: { url: caUrl, rootFile, provisionerKeyFile: ca.provisionerKeyFile, enrollKeyFile: caLayout(join(dir, 'ca')).enrollKeyFile },
      adminPassword: ADMIN,
      health: { deployTick: '100ms' },
      ...hubOverrides,
    },
    'hub',
  );
  const hubIdentity = await identity('hub', 'hub1');
  const hub = await startHub(hubConfig, { identity: hubIdentity, logger: silentLogger() });
  const url = hub.endpoints['api'] as string;
  const agents = new Map<string, RoleHandle>();
  const cp: ControlPlane = {
    dir,
    ca,
    caUrl,
    rootPem: ca.rootPem,
    rootFile,
    hub,
    url,
    hubConfig,
    agents,
    target: { ca: { rootPem: ca.rootPem } as TestCa, url },
    identity,
    async startAgent(name, overrides = {}, version) {
      const config = validateConfig(
        agentConfigSchema,
        {
          name,
          trustDomain: TD,
          dataDir: join(dir, 'agents', name),
          log: { level: 'silent' },
          hubUrl: url,
          ca: { url: caUrl, rootFile },
          syncInterval: '200ms',
          metricsInterval: '500ms',
          runtime: { phoenixBin: REPLICA_BIN, stopGrace: '3s', readyTimeout: '20s' },
          ...overrides,
        },
        'agent',
      );
      const handle = await startAgent(config, { identity: await identity('agent', name, []), logger: silentLogger(), ...(version ? { version } : {}) });
      agents.set(name, handle);
      return handle;
    },
    async stopAgent(name) {
      await agents.get(name)?.close();
      agents.delete(name);
    },
    async close() {
      for (const a of agents.values()) await a.close();
      await hub.close();
      await ca.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return cp;
}

/** A `process` service of the fixture HTTPS server, as stack YAML. */
export function serviceStack(options: { stack?: string; replicas?: number; env?: Record<string, string>; monitor?: string; drain?: string; extra?: string } = {}): string {
  const env = Object.entries(options.env ?? { VERSION: '1' })
    .map(([k, v]) => `      ${k}: "${v}"`)
    .join('\n');
  return `name: ${options.stack ?? 'web'}
services:
  echo:
    runtime: process
    replicas: ${options.replicas ?? 2}
    command: ${JSON.stringify(process.execPath)}
    args: [${JSON.stringify(SERVICE_BIN)}]
    env:
${env}
    labels:
      phoenix.router.host: echo
    healthcheck:
      path: /readyz
      interval: 200ms
      timeout: 150ms
      retries: 2
    update:
      monitor: ${options.monitor ?? '5s'}
      drain: ${options.drain ?? '300ms'}
${options.extra ?? ''}`;
}
