/** Shared helpers for hub and agent integration tests: a started hub, HTTPS calls, eventually(). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { TestCa, TEST_TRUST_DOMAIN } from '../../fixtures/test-ca.js';
import { hubConfigSchema, type HubConfig } from '../../../src/hub/config.js';
import { startHub } from '../../../src/hub/main.js';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import type { RoleHandle } from '../../../src/core/lifecycle.js';
import type { TlsIdentity } from '../../../src/core/tls/identity.js';
import { readBody } from '../../helpers/json-body.js';

export const ADMIN_PASSWORD = 'correct-horse-battery';
export const CA_URL = 'https://ca.phoenix.test:9000';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `phoenix-${prefix}-`));
}

/** A provisioner key file in the `{name, kid, key}` format, and its public JWK. */
export async function provisionerKeyFile(dir: string): Promise<{ file: string; name: string; kid: string; publicJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const file = join(dir, 'provisioner.json');
  writeFileSync(file, JSON.stringify({ name: 'phoenix-test', kid, key: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' } }), { mode: 0o600 });
  return { file, name: 'phoenix-test', kid, publicJwk };
}

export interface TestHub {
  ca: TestCa;
  hub: RoleHandle;
  url: string;
  config: HubConfig;
  dir: string;
  provisioner: Awaited<ReturnType<typeof provisionerKeyFile>>;
  /** Starts the hub again on the same data directory (after `hub.close()`), on the same port if asked. */
  restart(options?: { samePort?: boolean; adminPassword?: string }): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startTestHub(overrides: Record<string, unknown> = {}, existing?: { ca?: TestCa; role?: string }): Promise<TestHub> {
  const ca = existing?.ca ?? (await TestCa.create());
  const dir = tempDir('hub');
  const provisioner = await provisionerKeyFile(dir);
  writeFileSync(join(dir, 'root.pem'), ca.rootPem);
  const config = validateConfig(
    hubConfigSchema,
    {
      name: 'hub1',
      trustDomain: TEST_TRUST_DOMAIN,
      dataDir: join(dir, 'data'),
      log: { level: 'silent' },
      listen: { host: '127.0.0.1', port: 0 },
      ca: { url: CA_URL, rootFile: join(dir, 'root.pem'), provisionerKeyFile: provisioner.file },
      adminPassword: ADMIN_PASSWORD,
      ...overrides,
    },
    'hub',
  );
  const identity = await ca.identity(existing?.role ?? 'hub', 'hub1');
  const t: TestHub = {
    ca,
    hub: await startHub(config, { identity, logger: silentLogger() }),
    url: '',
    config,
    dir,
    provisioner,
    async restart(options = {}) {
      const port = options.samePort ? Number(new URL(t.url).port) : config.listen.port;
      t.hub = await startHub({ ...config, listen: { ...config.listen, port }, adminPassword: options.adminPassword ?? config.adminPassword }, { identity, logger: silentLogger() });
      t.url = t.hub.endpoints['api'] as string;
    },
    async cleanup() {
      await t.hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  t.url = t.hub.endpoints['api'] as string;
  return t;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

export interface CallOptions {
  body?: unknown;
  /** Sent as-is with this content type (else JSON). */
  raw?: { contentType: string; text: string };
  token?: string;
  cookie?: string;
  identity?: TlsIdentity;
  headers?: Record<string, string>;
}

const dispatchers = new Map<string, Agent>();

function dispatcherFor(rootPem: string, identity: TlsIdentity | undefined): Agent {
  const key = `${identity?.id.uri ?? 'anonymous'}|${identity?.current.serialNumber ?? ''}|${rootPem}`;
  let d = dispatchers.get(key);
  if (!d) {
    d = new Agent({ connect: { ca: rootPem, ...(identity ? { key: identity.current.keyPem, cert: identity.current.chainPem } : {}) } });
    dispatchers.set(key, d);
  }
  return d;
}

/** One HTTPS call to the hub; trusts the test root; presents `identity`'s certificate when given. */
export async function call(t: { ca: TestCa; url: string }, method: string, path: string, o: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...o.headers };
  let body: string | undefined;
  if (o.raw) {
    headers['content-type'] = o.raw.contentType;
    body = o.raw.text;
  } else if (o.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(o.body);
  }
  if (o.token) headers['authorization'] = `Bearer ${o.token}`;
  if (o.cookie) headers['cookie'] = o.cookie;
  const res = await request(new URL(path, t.url), {
    method: method as 'GET',
    headers,
    ...(body === undefined ? {} : { body }),
    dispatcher: dispatcherFor(t.ca.rootPem, o.identity),
  });
  const { text, json } = await readBody(res);
  return { status: res.statusCode, headers: res.headers, text, json };
}

export async function login(t: { ca: TestCa; url: string }, password = ADMIN_PASSWORD): Promise<string> {
  const res = await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  return res.json.token as string;
}

export async function closeDispatchers(): Promise<void> {
  await Promise.all([...dispatchers.values()].map((d) => d.close()));
  dispatchers.clear();
}

export { eventually } from '../../helpers/eventually.js';

/** A sync body as an agent would send it. */
export function syncBody(name: string, instances: unknown[] = [], extra: Record<string, unknown> = {}) {
  return {
    agent: { name, version: '0.1.0', advertiseAddress: '127.0.0.1', host: { hostname: 'host-a', platform: 'linux', cpus: 2, memoryBytes: 4 * 1024 ** 3 }, ...extra },
    instances,
  };
}
