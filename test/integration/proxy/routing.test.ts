/**
 * Routing rules and priorities at the router, with configuration from the static and file
 * providers: Host, PathPrefix, Path, Header, Method, &&, ||, !, explicit and default priorities; a
 * bad item disables only itself and shows in the status API; a watched file reloads.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'undici';
import { eventually } from '../../helpers/eventually.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { call, ProxyLab, statusOf, type LabBackend } from './support.js';

describe('routing rules and priorities', () => {
  let lab: ProxyLab;
  let router: RouterHandle;
  let client: Agent;
  const b: Record<string, LabBackend> = {};
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-routing-'));
  const file = join(dir, 'dynamic.yaml');

  before(async () => {
    lab = await ProxyLab.create();
    for (const name of ['a', 'b', 'c', 'd', 'e']) b[name] = await lab.backend(name);
    const svc = (name: string) => ({ servers: [{ url: (b[name] as LabBackend).url, identity: (b[name] as LabBackend).spiffe }] });
    writeFileSync(file, `routers:\n  from-file:\n    rule: Host(\`file\`)\n    service: e\nservices:\n  e:\n    servers:\n      - url: ${b['e']?.url}\n        identity: ${b['e']?.spiffe}\n`);
    router = await lab.router({
      providers: {
        file: { path: file, pollInterval: 200 },
        static: {
          services: { a: svc('a'), b: svc('b'), c: svc('c'), d: svc('d') },
          routers: {
            host: { rule: 'Host(`qdrant`)', service: 'a' },
            special: { rule: 'Host(`qdrant`) && PathPrefix(`/collections/special`)', service: 'b' },
            deletes: { rule: 'Host(`qdrant`) && Method(`DELETE`)', service: 'c', priority: 100 },
            tenant: { rule: 'Header(`x-tenant`, `blue`)', service: 'd', priority: 200 },
            'not-private': { rule: 'Host(`other`) && !PathPrefix(`/private`)', service: 'a' },
            either: { rule: 'Host(`or`) && (Path(`/one`) || Path(`/two`))', service: 'b' },
            'catch-all': { rule: 'PathPrefix(`/`)', service: 'c', priority: 1 },
            'bad-rule': { rule: 'Host(`x`', service: 'a' },
            'bad-service': { rule: 'Host(`y`)', service: 'missing' },
            'bad-middleware': { rule: 'Host(`z`)', service: 'a', middlewares: ['nope'] },
            'cross-provider': { rule: 'Host(`cross`)', service: 'e@file' },
          },
          middlewares: { 'bad-type': { noSuchMiddleware: {} } },
        },
      },
    });
    client = await lab.asGateway();
  });

  after(async () => {
    await lab.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const via = async (host: string, method: string, path: string, headers: Record<string, string> = {}) => {
    const a = await call(client, `${router.endpoints['api']}${path}`, { method, headers: { host, ...headers } });
    assert.equal(a.status, 200, `${method} ${host}${path}: ${a.text}`);
    return a.json?.result?.backend;
  };

  const table: Array<[host: string, method: string, path: string, headers: Record<string, string>, backend: string]> = [
    ['qdrant', 'GET', '/collections', {}, 'a'],
    ['qdrant', 'POST', '/collections/special/points/query', {}, 'b'],
    ['qdrant', 'DELETE', '/collections/special', {}, 'c'],
    ['anything', 'GET', '/x', { 'x-tenant': 'blue' }, 'd'],
    ['qdrant', 'DELETE', '/collections/x', { 'x-tenant': 'blue' }, 'd'],
    ['anything', 'GET', '/x', { 'x-tenant': 'red' }, 'c'],
    ['other', 'GET', '/public', {}, 'a'],
    ['other', 'GET', '/private/x', {}, 'c'],
    ['or', 'GET', '/two', {}, 'b'],
    ['or', 'GET', '/three', {}, 'c'],
    ['QDRANT', 'GET', '/collections', {}, 'a'],
    ['file', 'GET', '/', {}, 'e'],
    ['cross', 'GET', '/', {}, 'e'],
  ];
  for (const [host, method, path, headers, backend] of table) {
    test(`${method} ${host}${path}${Object.keys(headers).length ? ` ${JSON.stringify(headers)}` : ''} → ${backend}`, async () => {
      assert.equal(await via(host, method, path, headers), backend);
    });
  }

  test('the request reaches the backend with its method, path, query and body', async () => {
    const a = await call(client, `${router.endpoints['api']}/collections/special/points/query?timeout=3`, { method: 'POST', headers: { host: 'qdrant', 'content-type': 'application/json' }, body: '{"query":[1,2]}' });
    assert.equal(a.json?.result?.path, '/collections/special/points/query?timeout=3');
    assert.equal(a.json?.result?.body, '{"query":[1,2]}');
  });

  test('bad items are disabled and reported; everything else serves', async () => {
    const s = await statusOf(router);
    const errors = new Map(s.errors.map((e) => [e.item, e.error]));
    assert.match(errors.get('bad-rule@static') ?? '', /invalid rule/);
    assert.match(errors.get('bad-service@static') ?? '', /service missing@static does not exist/);
    assert.match(errors.get('bad-middleware@static') ?? '', /middleware nope@static does not exist/);
    assert.match(errors.get('bad-type@static') ?? '', /unknown middleware type noSuchMiddleware/);
    assert.ok(!s.routers.some((r) => r.name === 'bad-rule@static'));
    assert.equal(s.routers[0]?.name, 'tenant@static', 'highest priority first');
    assert.equal(s.routers.at(-1)?.name, 'catch-all@static');
  });

  test('a changed file is served without a restart; a broken file keeps the last good configuration and is reported', async () => {
    const next = `${file}.next`;
    writeFileSync(next, `routers:\n  from-file:\n    rule: Host(\`file\`) || Host(\`file2\`)\n    service: e\nservices:\n  e:\n    servers:\n      - url: ${b['e']?.url}\n        identity: ${b['e']?.spiffe}\n`);
    renameSync(next, file);
    await eventually(async () => assert.equal(await via('file2', 'GET', '/'), 'e'), 5000);
    writeFileSync(file, 'routers: [this is: not valid');
    await eventually(async () => assert.ok((await statusOf(router)).errors.some((e) => e.item === '@file')), 5000);
    assert.equal(await via('file2', 'GET', '/'), 'e', 'the last good file stays in force');
  });
});

describe('no route', () => {
  test('a request no rule matches gets 404 in Qdrant’s envelope', async () => {
    const lab = await ProxyLab.create();
    try {
      const a1 = await lab.backend('a1');
      const router = await lab.router({ providers: { static: { services: { a: { servers: [{ url: a1.url, identity: a1.spiffe }] } }, routers: { only: { rule: 'Host(`qdrant`)', service: 'a' } } } } });
      const res = await call(await lab.asGateway(), `${router.endpoints['api']}/collections`, { headers: { host: 'elsewhere' } });
      assert.equal(res.status, 404);
      assert.match(res.text, /"error":"no route for host elsewhere and path \/collections"/);
      assert.equal(a1.hits.length, 0);
    } finally {
      await lab.close();
    }
  });
});
