/**
 * Qdrant-compatible client auth at the gateway, on every write and search path: the full key
 * (manage), the read-only key, and JWTs signed with the API key — global `r` / `m`, and
 * collection-scoped `r` / `rw` — with Qdrant's words for refusals; expiry with its 30 s leeway;
 * listings filtered for collection-scoped tokens. A refused request never reaches the router.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import { PHOENIX_BIN } from '../../helpers/platform.js';
import { signTestJwt } from './jwt-support.js';
import { API_KEY, call, ProxyLab, type LabBackend } from './support.js';

const READ_ONLY_KEY = 'lab-read-only-key-0123456789';

type Kind = 'read' | 'write' | 'manage' | 'global-read';
/** Every data path of Qdrant's API, with what it does to collection `mine` (or globally). */
const OPERATIONS: Array<[method: string, path: string, kind: Kind]> = [
  ['GET', '/collections/mine', 'read'],
  ['GET', '/collections/mine/exists', 'read'],
  ['GET', '/collections/mine/points/7', 'read'],
  ['POST', '/collections/mine/points', 'read'],
  ['POST', '/collections/mine/points/scroll', 'read'],
  ['POST', '/collections/mine/points/count', 'read'],
  ['POST', '/collections/mine/facet', 'read'],
  ['POST', '/collections/mine/points/query', 'read'],
  ['POST', '/collections/mine/points/query/batch', 'read'],
  ['POST', '/collections/mine/points/query/groups', 'read'],
  ['POST', '/collections/mine/points/search', 'read'],
  ['POST', '/collections/mine/points/search/batch', 'read'],
  ['POST', '/collections/mine/points/search/groups', 'read'],
  ['POST', '/collections/mine/points/search/matrix/pairs', 'read'],
  ['POST', '/collections/mine/points/search/matrix/offsets', 'read'],
  ['POST', '/collections/mine/points/recommend', 'read'],
  ['POST', '/collections/mine/points/recommend/batch', 'read'],
  ['POST', '/collections/mine/points/recommend/groups', 'read'],
  ['POST', '/collections/mine/points/discover', 'read'],
  ['POST', '/collections/mine/points/discover/batch', 'read'],
  ['GET', '/collections/mine/snapshots', 'read'],
  ['PUT', '/collections/mine/points?wait=true', 'write'],
  ['POST', '/collections/mine/points/delete', 'write'],
  ['PUT', '/collections/mine/points/vectors', 'write'],
  ['POST', '/collections/mine/points/vectors/delete', 'write'],
  ['POST', '/collections/mine/points/payload', 'write'],
  ['PUT', '/collections/mine/points/payload', 'write'],
  ['POST', '/collections/mine/points/payload/delete', 'write'],
  ['POST', '/collections/mine/points/payload/clear', 'write'],
  ['POST', '/collections/mine/points/batch', 'write'],
  ['PUT', '/collections/mine/index', 'write'],
  ['DELETE', '/collections/mine/index/city', 'write'],
  ['POST', '/collections/mine/snapshots', 'write'],
  ['PUT', '/collections/mine', 'manage'],
  ['PATCH', '/collections/mine', 'manage'],
  ['DELETE', '/collections/mine', 'manage'],
  ['POST', '/collections/aliases', 'manage'],
  ['PUT', '/collections/mine/snapshots/recover', 'manage'],
  ['POST', '/snapshots', 'manage'],
  ['GET', '/telemetry', 'global-read'],
  ['GET', '/cluster', 'global-read'],
];

interface Who {
  name: string;
  key: () => string;
  allowed: (kind: Kind, collection: 'mine' | 'other') => boolean;
}

const WHO: Who[] = [
  { name: 'full API key', key: () => API_KEY, allowed: () => true },
  { name: 'read-only API key', key: () => READ_ONLY_KEY, allowed: (k) => k === 'read' || k === 'global-read' },
  { name: 'JWT access m', key: () => signTestJwt({ access: 'm' }, API_KEY), allowed: () => true },
  { name: 'JWT without access claim (manage)', key: () => signTestJwt({ sub: 'ops' }, API_KEY), allowed: () => true },
  { name: 'JWT access r', key: () => signTestJwt({ access: 'r' }, API_KEY), allowed: (k) => k === 'read' || k === 'global-read' },
  { name: 'JWT mine:r', key: () => signTestJwt({ access: [{ collection: 'mine', access: 'r' }] }, API_KEY), allowed: (k, c) => c === 'mine' && k === 'read' },
  { name: 'JWT mine:rw', key: () => signTestJwt({ access: [{ collection: 'mine', access: 'rw' }] }, API_KEY), allowed: (k, c) => c === 'mine' && (k === 'read' || k === 'write') },
];

let lab: ProxyLab;
let gateway: GatewayHandle;
let backend: LabBackend;
let client: ReturnType<ProxyLab['client']>;

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('auth');
  backend.handler = (req, res) => {
    const body =
      req.url === '/collections'
        ? { result: { collections: [{ name: 'mine' }, { name: 'other' }, { name: 'third' }] }, status: 'ok', time: 0 }
        : req.url === '/aliases'
          ? { result: { aliases: [{ alias_name: 'a1', collection_name: 'mine' }, { alias_name: 'a2', collection_name: 'other' }] }, status: 'ok', time: 0 }
          : { result: true, status: 'ok', time: 0 };
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
  };
  const router = await lab.router({ providers: { static: { services: { q: { servers: [{ url: backend.url, identity: backend.spiffe }] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } } });
  gateway = await lab.gateway(router.endpoints['api'] as string, { readOnlyApiKey: READ_ONLY_KEY });
  client = lab.client();
});
after(() => lab.close());

const send = (method: string, path: string, key: string | undefined) =>
  call(client, `${gateway.endpoints['api']}${path}`, {
    method,
    headers: { ...(key ? { 'api-key': key } : {}), 'content-type': 'application/json' },
    body: method === 'GET' || method === 'DELETE' ? null : '{}',
  });

for (const who of WHO) {
  describe(who.name, () => {
    for (const collection of ['mine', 'other'] as const) {
      test(`every write and search path on collection ${collection}`, async () => {
        const key = who.key();
        const wrong: string[] = [];
        for (const [method, template, kind] of OPERATIONS) {
          if (collection === 'other' && !template.includes('/mine')) continue;
          const path = template.replace('/mine', `/${collection}`);
          const before = backend.hits.length;
          const a = await send(method, path, key);
          const expected = who.allowed(kind, collection);
          const reached = backend.hits.length > before;
          if (expected && (a.status !== 200 || !reached)) wrong.push(`${method} ${path}: expected to pass, got ${a.status} ${a.text}`);
          if (!expected && (a.status !== 403 || reached)) wrong.push(`${method} ${path}: expected 403, got ${a.status}${reached ? ' and it reached the backend' : ''}`);
          if (!expected && a.status === 403 && !/^\{"status":\{"error":"Forbidden: /.test(a.text)) wrong.push(`${method} ${path}: refusal not in Qdrant's words: ${a.text}`);
        }
        assert.deepEqual(wrong, []);
      });
    }
  });
}

describe('credentials', () => {
  test('missing → 401 and wrong → 403 in plain text; the public probes need none', async () => {
    const none = await send('GET', '/collections', undefined);
    assert.equal(none.status, 401);
    assert.equal(none.text, 'Must provide an API key or an Authorization bearer token');
    const wrong = await send('GET', '/collections', 'definitely-not-the-key');
    assert.equal(wrong.status, 403);
    assert.equal(wrong.text, 'Invalid API key or JWT');
    for (const p of ['/', '/readyz', '/healthz', '/livez']) assert.equal((await send('GET', p, undefined)).status, 200, p);
  });

  test('JWT: Authorization: Bearer works; expired (past the 30 s leeway), badly signed or value_exists tokens are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const good = signTestJwt({ access: 'r', exp: now + 60 }, API_KEY);
    assert.equal((await call(lab.client(), `${gateway.endpoints['api']}/collections`, { headers: { authorization: `Bearer ${good}` } })).status, 200);
    assert.equal((await send('GET', '/collections', signTestJwt({ access: 'r', exp: now - 10 }, API_KEY))).status, 200, 'within the leeway');
    assert.equal((await send('GET', '/collections', signTestJwt({ access: 'r', exp: now - 60 }, API_KEY))).status, 403);
    assert.equal((await send('GET', '/collections', signTestJwt({ access: 'm' }, 'some-other-secret-000000'))).status, 403);
    assert.equal((await send('GET', '/collections', signTestJwt({ value_exists: { collection: 'users', matches: [] } }, API_KEY))).status, 403);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"access":"m"}').toString('base64url')}.`;
    assert.equal((await send('GET', '/collections', none)).status, 403, 'alg none is refused');
  });

  test('the read-only key and a read token cannot be turned into writes by a read-looking method', async () => {
    assert.equal((await send('POST', '/collections/mine/points/delete', READ_ONLY_KEY)).status, 403);
    assert.equal((await send('POST', '/collections/mine/points/unknown-new-endpoint', READ_ONLY_KEY)).status, 403, 'unknown paths need manage access');
  });

  test('tokens printed by `phoenix keys create` are enforced', async () => {
    const create = (...args: string[]) => {
      const r = spawnSync(process.execPath, [PHOENIX_BIN, 'keys', 'create', ...args], { env: { ...process.env, PHOENIX_API_KEY: API_KEY }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const reader = create('--access', 'r', '--ttl', '1h');
    assert.equal((await send('POST', '/collections/other/points/query', reader)).status, 200);
    assert.equal((await send('PUT', '/collections/other/points', reader)).status, 403);
    const writer = create('--access', 'm', '--collection', 'mine', '--ttl', '24h', '--sub', 'etl');
    assert.equal((await send('PUT', '/collections/mine/points', writer)).status, 200);
    assert.equal((await send('PUT', '/collections/other/points', writer)).status, 403);
    assert.equal((await send('DELETE', '/collections/mine', writer)).status, 403, 'collection read-write is not manage');
    const expired = create('--access', 'm', '--ttl', '1ms');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await send('GET', '/collections', expired)).status, 200, 'still inside the 30 s leeway');
  });

  test('collection-scoped tokens see only their collections in listings', async () => {
    const token = signTestJwt({ access: [{ collection: 'mine', access: 'r' }, { collection: 'third', access: 'rw' }] }, API_KEY);
    const list = await send('GET', '/collections', token);
    assert.equal(list.status, 200);
    assert.deepEqual((JSON.parse(list.text) as { result: { collections: Array<{ name: string }> } }).result.collections.map((c) => c.name), ['mine', 'third']);
    const aliases = await send('GET', '/aliases', token);
    assert.deepEqual((JSON.parse(aliases.text) as { result: { aliases: Array<{ alias_name: string }> } }).result.aliases.map((a) => a.alias_name), ['a1']);
    const full = await send('GET', '/collections', API_KEY);
    assert.equal((JSON.parse(full.text) as { result: { collections: unknown[] } }).result.collections.length, 3);
  });
});
