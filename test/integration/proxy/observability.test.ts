/**
 * What operators and clients see of a proxy hop: HTTP/2 and HTTP/1.1 on the gateway (ALPN), the
 * read-only status API, Prometheus metrics (requests and durations by route/service/code, backend
 * health, retries, rejections), and one JSON access-log line per request with route, service,
 * backend, status, durations, request id and retries.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as http2Connect } from 'node:http2';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { request } from 'undici';
import { gatewayConfigSchema } from '../../../src/gateway/config.js';
import { startGateway, type GatewayHandle } from '../../../src/gateway/main.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { API_KEY, call, ProxyLab, TD, type LabBackend } from './support.js';

let lab: ProxyLab;
let router: RouterHandle;
let gateway: GatewayHandle;
let backend: LabBackend;
const lines: Array<Record<string, unknown>> = [];

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('obs');
  router = await lab.router({
    providers: { static: { services: { qdrant: { servers: [{ url: backend.url, identity: backend.spiffe }] } }, routers: { all: { rule: 'PathPrefix(`/`)', service: 'qdrant' } } } },
  });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  gateway = await startGateway(
    gatewayConfigSchema.parse({ name: 'gw', trustDomain: TD, dataDir: '/tmp', listen: { port: 0 }, status: { port: 0 }, routerUrl: router.endpoints['api'], apiKey: API_KEY, limits: { rateLimit: { average: 1, period: '1s', burst: 6, by: 'apiKey' } } }),
    { identity: await lab.ca.identity('gateway', 'gw'), logger: pino({ level: 'info' }, sink) },
  );
});
after(async () => {
  await gateway.close();
  await lab.close();
});

test('the gateway speaks HTTP/2 (ALPN h2) and HTTP/1.1 on the same port', async () => {
  const session = http2Connect(gateway.endpoints['api'] as string, { ca: lab.ca.rootPem });
  try {
    const answer = await new Promise<{ status: number; body: string; proto: string }>((resolve, reject) => {
      const req = session.request({ ':method': 'POST', ':path': '/collections/c/points/query', 'api-key': API_KEY, 'content-type': 'application/json' });
      let body = '';
      let status = 0;
      req.on('response', (h) => (status = Number(h[':status'])));
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => resolve({ status, body, proto: session.alpnProtocol ?? '' }));
      req.on('error', reject);
      req.end('{"query":[1,2]}');
    });
    assert.equal(answer.proto, 'h2');
    assert.equal(answer.status, 200);
    assert.match(answer.body, /"body":"\{\\"query\\":\[1,2\]\}"/);
    assert.equal(backend.hits.at(-1)?.headers['host'], new URL(gateway.endpoints['api'] as string).host, 'the :authority goes on as Host');
  } finally {
    session.close();
  }
  const h1 = await call(lab.client(), `${gateway.endpoints['api']}/collections`, { headers: { 'api-key': API_KEY } });
  assert.equal(h1.status, 200);
});

test('access log: one JSON line per request with route, service, backend, status, durations, request id, retries', async () => {
  await call(lab.client(), `${gateway.endpoints['api']}/collections/c/points/query`, { method: 'POST', headers: { 'api-key': API_KEY, 'x-request-id': 'obs-1', 'content-type': 'application/json' }, body: '{}' });
  const line = lines.find((l) => l['access'] === true && l['requestId'] === 'obs-1');
  assert.ok(line, 'an access line for the request');
  assert.equal(line['route'], 'all@static');
  assert.equal(line['service'], 'router@static');
  assert.equal(line['backend'], router.endpoints['api']);
  assert.equal(line['status'], 200);
  assert.equal(line['retries'], 0);
  assert.equal(line['client'], 'api-key');
  assert.equal(typeof line['durationMs'], 'number');
  assert.equal(typeof line['upstreamMs'], 'number');
  assert.match(String(line['traceId']), /^[0-9a-f]{32}$/);
});

test('status API: routers, services, backends with health; read-only', async () => {
  const s = (await (await request(`${router.endpoints['status']}/api/status`)).body.json()) as {
    routers: Array<{ name: string; service: string }>;
    services: Array<{ name: string; backends: Array<{ url: string; health: string; available: boolean }> }>;
  };
  assert.deepEqual(s.routers.map((r) => [r.name, r.service]), [['all@static', 'qdrant@static']]);
  assert.deepEqual(s.services[0]?.backends.map((b) => [b.url, b.health, b.available]), [[backend.url, 'up', true]]);
  const write = await request(`${router.endpoints['status']}/api/status`, { method: 'POST', body: '{}' });
  assert.equal(write.statusCode, 405);
  await write.body.dump();
});

test('metrics: requests and durations by route, service and code; backend health; rejections', async () => {
  for (let i = 0; i < 8; i++) await call(lab.client(), `${gateway.endpoints['api']}/collections`, { headers: { 'api-key': API_KEY } });
  const text = await (await request(`${gateway.endpoints['status']}/metrics`)).body.text();
  assert.match(text, /phoenix_proxy_requests_total\{route="all@static",service="router@static",code="200",role="gateway"\} \d+/);
  // Refused before routing: no route, no service.
  assert.match(text, /phoenix_proxy_requests_total\{route="",service="",code="429",role="gateway"\} \d+/);
  assert.match(text, /phoenix_proxy_request_duration_seconds_bucket\{le="0.1",role="gateway",route="all@static",service="router@static",code="200"\} \d+/);
  assert.match(text, /phoenix_proxy_rejections_total\{middleware="rateLimit",reason="apiKey",role="gateway"\} \d+/);
  assert.match(text, /phoenix_proxy_backend_up\{service="router@static",backend="[^"]+",state="up",role="gateway"\} 1/);
  const routerText = await (await request(`${router.endpoints['status']}/metrics`)).body.text();
  assert.match(routerText, /phoenix_proxy_requests_total\{route="all@static",service="qdrant@static",code="200",role="router"\} \d+/);
  assert.match(routerText, /phoenix_proxy_retries_total|phoenix_proxy_backend_up/);
});
