import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { call, closeDispatchers, login, startTestHub, type TestHub } from './support.js';
import { DEFAULT_STACK_YAML } from '../../../src/hub/stacks/default.js';

let t: TestHub;
let token: string;
before(async () => {
  t = await startTestHub();
  token = await login(t);
});
after(async () => {
  await t.cleanup();
  await closeDispatchers();
});

const yaml = (text: string) => ({ raw: { contentType: 'application/yaml', text } });

test('the hub starts with the built-in qdrant_service stack as version 1', async () => {
  const list = await call(t, 'GET', '/api/stacks', { token });
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.json.map((s: { name: string; version: number }) => [s.name, s.version]),
    [['qdrant_service', 1]],
  );
  const one = await call(t, 'GET', '/api/stacks/qdrant_service', { token });
  assert.equal(one.status, 200);
  assert.equal(one.json.yaml, DEFAULT_STACK_YAML);
  assert.equal(one.json.version, 1);
  assert.deepEqual(one.json.services, [
    {
      name: 'qdrant',
      runtime: 'embedded',
      replicas: 1,
      labels: { 'phoenix.router.host': 'qdrant', 'phoenix.router.default': 'true' },
      router: { hosts: ['qdrant'], default: true },
      healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000 },
      update: { parallelism: 1, monitorMs: 30_000, drainMs: 2000, failureAction: 'rollback' },
    },
  ]);
  assert.equal(one.json.author, 'hub');
  assert.equal(one.json.note, 'initial stack');
  const missing = await call(t, 'GET', '/api/stacks/nothing_here', { token });
  assert.equal(missing.status, 404);
  assert.match(missing.json.detail, /no stack named "nothing_here"/);
});

test('PUT stores a new version and GET returns it; the same text again keeps the version', async () => {
  const changed = DEFAULT_STACK_YAML.replace('interval: 2s', 'interval: 3s');
  const put = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, ...yaml(changed) });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.version, 2);
  assert.equal(put.json.services[0].healthcheck.intervalMs, 3000);
  const got = await call(t, 'GET', '/api/stacks/qdrant_service', { token });
  assert.equal(got.json.version, 2);
  assert.equal(got.json.yaml, changed);
  const again = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'text/plain', text: changed } });
  assert.equal(again.status, 200);
  assert.equal(again.json.version, 2);
});

test('an invalid replicas value is refused with 422, the reason and the line, and nothing is stored', async () => {
  const before = (await call(t, 'GET', '/api/stacks/qdrant_service', { token })).json.version;
  const res = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, ...yaml(DEFAULT_STACK_YAML.replace('replicas: 1', 'replicas: 65')) });
  assert.equal(res.status, 422, res.text);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json.code, 'HUB_STACK_INVALID');
  assert.match(res.json.detail, /line 5:\d+: services\.qdrant\.replicas: Too big: expected number to be <=64/);
  assert.deepEqual(
    res.json.errors.map((e: { line: number; path: string }) => [e.line, e.path]),
    [[5, 'services.qdrant.replicas']],
  );
  assert.equal((await call(t, 'GET', '/api/stacks/qdrant_service', { token })).json.version, before);
});

test('invalid YAML is a 400 with line numbers; schema errors are 422 with line numbers', async () => {
  const bad = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, ...yaml('name: qdrant_service\nservices:\n  qdrant:\n    runtime: embedded\n   replicas: 1\n') });
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.code, 'HUB_STACK_YAML_INVALID');
  assert.equal(bad.json.errors[0].line, 5);
  assert.match(bad.json.detail, /line 5/);

  const unknown = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, ...yaml(DEFAULT_STACK_YAML.replace('runtime: embedded', 'runtime: docker')) });
  assert.equal(unknown.status, 422);
  assert.match(unknown.json.detail, /line 4:\d+: services\.qdrant\.runtime: unknown runtime "docker"; known runtimes: embedded/);

  const renamed = await call(t, 'PUT', '/api/stacks/other', { token, ...yaml(DEFAULT_STACK_YAML) });
  assert.equal(renamed.status, 422);
  assert.match(renamed.json.detail, /names stack "qdrant_service" but is being stored as "other"/);
});

test('a stack sent as JSON or an unknown media type is refused with 415', async () => {
  const json = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, body: { name: 'qdrant_service' } });
  assert.equal(json.status, 415);
  assert.match(json.json.detail, /YAML/);
  const xml = await call(t, 'PUT', '/api/stacks/qdrant_service', { token, raw: { contentType: 'application/xml', text: '<x/>' } });
  assert.equal(xml.status, 415);
});

test('a second stack can be added; stack versions survive a restart', async () => {
  const other = 'name: search2\nservices:\n  vec:\n    runtime: embedded\n    labels:\n      phoenix.router.host: search2\n';
  const put = await call(t, 'PUT', '/api/stacks/search2', { token, ...yaml(other) });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.json.version, 1);
  await t.hub.close();
  await t.restart();
  const list = await call(t, 'GET', '/api/stacks', { token });
  assert.deepEqual(
    list.json.map((s: { name: string; version: number }) => [s.name, s.version]),
    [
      ['qdrant_service', 2],
      ['search2', 1],
    ],
  );
});
