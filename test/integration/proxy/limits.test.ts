/**
 * Client-facing limits and headers at the gateway: rate limit by API key and by address (429 with
 * Retry-After), in-flight limit, body size (413, Qdrant's 32 MB default, chunked bodies counted),
 * allow-list (403), slow clients (header and body timeouts), security headers, request id and W3C
 * trace context across hops.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import { sleep } from '../../../src/core/lifecycle.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { signTestJwt } from './jwt-support.js';
import { API_KEY, call, echo, ProxyLab, type LabBackend } from './support.js';

let lab: ProxyLab;
let router: RouterHandle;
let backend: LabBackend;

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('limits');
  router = await lab.router({ providers: { static: { services: { q: { servers: [{ url: backend.url, identity: backend.spiffe }] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } } });
});
after(() => lab.close());

const gatewayWith = (config: Record<string, unknown>) => lab.gateway(router.endpoints['api'] as string, config);
const get = (url: string, key = API_KEY, headers: Record<string, string> = {}) => call(lab.client(), `${url}/collections`, { headers: { 'api-key': key, ...headers } });

/** Raw TLS to a gateway, for requests a well-behaved client library would not send. */
function rawTls(url: string): Promise<TLSSocket> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ port: Number(port), host: '127.0.0.1', ca: lab.ca.rootPem, servername: 'localhost', ALPNProtocols: ['http/1.1'] }, () => resolve(s));
    s.on('error', reject);
  });
}
function readAll(s: TLSSocket): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    s.on('data', (c: Buffer) => (out += c.toString()));
    s.on('close', () => resolve(out));
    s.on('error', () => resolve(out));
  });
}

describe('rate limit', () => {
  // Slow refills, so the outcome does not depend on how fast a busy machine sends the requests.
  test('by API key: past the burst the answer is 429 with Retry-After; another key has its own budget', async () => {
    const gw = await gatewayWith({ limits: { rateLimit: { average: 1, period: '60s', burst: 5, by: 'apiKey' } } });
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await get(gw.endpoints['api'] as string)).status);
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    const limited = await get(gw.endpoints['api'] as string);
    assert.equal(limited.status, 429);
    const retryAfter = Number(limited.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After: ${String(limited.headers['retry-after'])}`);
    assert.match(limited.text, /Too many requests/);
    const token = signTestJwt({ access: 'r' }, API_KEY);
    assert.equal((await get(gw.endpoints['api'] as string, token)).status, 200, 'a different key is not limited');
  });

  test('tokens come back at the configured rate', async () => {
    const gw = await gatewayWith({ limits: { rateLimit: { average: 1, period: '1s', burst: 1, by: 'apiKey' } } });
    const both = await Promise.all([get(gw.endpoints['api'] as string), get(gw.endpoints['api'] as string)]);
    assert.deepEqual(both.map((a) => a.status).sort(), [200, 429]);
    await sleep(1200);
    assert.equal((await get(gw.endpoints['api'] as string)).status, 200);
  });

  test('by client address', async () => {
    const gw = await gatewayWith({ limits: { rateLimit: { average: 1, period: '60s', burst: 2, by: 'clientIp' } } });
    const token = signTestJwt({ access: 'm' }, API_KEY);
    assert.equal((await get(gw.endpoints['api'] as string)).status, 200);
    assert.equal((await get(gw.endpoints['api'] as string, token)).status, 200);
    assert.equal((await get(gw.endpoints['api'] as string, token)).status, 429, 'same address, other key: still limited');
  });
});

test('in-flight limit: one request over the limit gets 429 while the others finish', async () => {
  const gw = await gatewayWith({ limits: { inFlight: { amount: 2 } } });
  backend.handler = (req, res, body) => setTimeout(() => echo('limits')(req, res, body), 400);
  try {
    const statuses = await Promise.all([0, 1, 2].map(async (i) => {
      await sleep(i * 50);
      return (await get(gw.endpoints['api'] as string)).status;
    }));
    assert.deepEqual(statuses.sort(), [200, 200, 429]);
    assert.equal((await get(gw.endpoints['api'] as string)).status, 200, 'slots are released');
  } finally {
    backend.handler = echo('limits');
  }
});

describe('body size', () => {
  test('Qdrant’s 32 MB default: a larger declared body is refused with 413 before it is read', async () => {
    const gw = await gatewayWith({});
    const s = await rawTls(gw.endpoints['api'] as string);
    const answer = readAll(s);
    s.write(`PUT /collections/c/points HTTP/1.1\r\nHost: localhost\r\napi-key: ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: ${32 * 1024 * 1024 + 1}\r\n\r\n{"points":`);
    const text = await answer;
    assert.match(text, /^HTTP\/1.1 413/);
    assert.match(text, /Payload error: request body \(33554433 bytes\) is larger than allowed \(limit: 33554432 bytes\)/);
  });

  test('a configured limit; a chunked body is counted as it arrives', async () => {
    const gw = await gatewayWith({ limits: { body: '1kb' } });
    const small = await call(lab.client(), `${gw.endpoints['api']}/collections/c/points`, { method: 'PUT', headers: { 'api-key': API_KEY, 'content-type': 'application/json' }, body: 'x'.repeat(1000) });
    assert.equal(small.status, 200);
    const s = await rawTls(gw.endpoints['api'] as string);
    const answer = readAll(s);
    s.write(`PUT /collections/c/points HTTP/1.1\r\nHost: localhost\r\napi-key: ${API_KEY}\r\ntransfer-encoding: chunked\r\n\r\n`);
    for (let i = 0; i < 3; i++) s.write(`200\r\n${'y'.repeat(512)}\r\n`);
    s.write('0\r\n\r\n');
    const text = await answer;
    assert.match(text, /^HTTP\/1.1 413/);
    assert.match(text, /larger than allowed \(limit: 1024 bytes\)/);
    assert.ok(!backend.hits.some((h) => h.body.startsWith('yyy')), 'the oversized body never reached the backend');
  });
});

test('allow-list: an address outside the ranges gets 403, one inside passes', async () => {
  const closed = await gatewayWith({ limits: { ipAllowList: ['10.0.0.0/8', '::1/128'] } });
  const refused = await get(closed.endpoints['api'] as string);
  assert.equal(refused.status, 403);
  assert.match(refused.text, /client address .*127\.0\.0\.1 is not allowed/);
  const open = await gatewayWith({ limits: { ipAllowList: ['127.0.0.0/8'] } });
  assert.equal((await get(open.endpoints['api'] as string)).status, 200);
});

describe('slow clients', () => {
  test('a client trickling its headers is cut off after the header timeout while others are served', async () => {
    const gw = await gatewayWith({ timeouts: { header: '500ms', body: '1s', idle: '5s' } });
    const s = await rawTls(gw.endpoints['api'] as string);
    const closed = new Promise<number>((resolve) => s.on('close', () => resolve(Date.now())));
    s.on('error', () => undefined);
    const started = Date.now();
    s.write('GET /collections HTTP/1.1\r\nHost: localhost\r\n');
    const trickle = setInterval(() => s.writable && s.write('x'), 100);
    try {
      assert.equal((await get(gw.endpoints['api'] as string)).status, 200, 'others are served meanwhile');
      const at = await closed;
      assert.ok(at - started < 3000, `closed after ${at - started} ms`);
    } finally {
      clearInterval(trickle);
    }
  });

  test('a body that does not arrive in time is answered 408', async () => {
    const gw = await gatewayWith({ timeouts: { header: '2s', body: '500ms', idle: '5s' } });
    const s = await rawTls(gw.endpoints['api'] as string);
    const answer = readAll(s);
    s.write(`POST /collections/c/points/query HTTP/1.1\r\nHost: localhost\r\napi-key: ${API_KEY}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"query":`);
    const text = await answer;
    assert.match(text, /^HTTP\/1.1 408/);
    assert.match(text, /did not arrive within 500 ms/);
  });
});

describe('headers', () => {
  test('security headers (HSTS) on answers and on the gateway’s own errors', async () => {
    const gw = await gatewayWith({});
    for (const a of [await get(gw.endpoints['api'] as string), await get(gw.endpoints['api'] as string, 'wrong-key-0000000000')]) {
      assert.equal(a.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
      assert.equal(a.headers['x-content-type-options'], 'nosniff');
    }
  });

  test('request id and traceparent: kept trace id, new parent id per hop, a fresh trace without one', async () => {
    const gw = await gatewayWith({});
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const a = await get(gw.endpoints['api'] as string, API_KEY, { 'x-request-id': 'rid-42', traceparent: `00-${trace}-00f067aa0ba902b7-01` });
    assert.equal(a.headers['x-request-id'], 'rid-42');
    const seen = backend.hits.at(-1);
    assert.equal(seen?.headers['x-request-id'], 'rid-42');
    const tp = String(seen?.headers['traceparent']);
    assert.match(tp, new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    assert.notEqual(tp.split('-')[2], '00f067aa0ba902b7', 'each hop sends its own span as parent');
    await get(gw.endpoints['api'] as string);
    const fresh = String(backend.hits.at(-1)?.headers['traceparent']);
    assert.match(fresh, /^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    assert.notEqual(fresh.split('-')[1], trace);
    assert.match(String(backend.hits.at(-1)?.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });
});
