/**
 * The proxy's own HTTP/1.1 server side (src/proxy/http1), on the gateway's public listener and the
 * router's mTLS listener, spoken to over raw TLS: requests whose framing could be read two ways
 * (request smuggling), obsolete line folding and oversize heads are refused with a clear 4xx and
 * never reach a backend; pipelined requests are answered in order; chunked bodies split anywhere,
 * HTTP/1.0 and `Expect: 100-continue` work.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import type { RouterHandle } from '../../../src/router/main.js';
import { API_KEY, echo, ProxyLab, type LabBackend } from './support.js';

let lab: ProxyLab;
let backend: LabBackend;
let router: RouterHandle;
let gateway: GatewayHandle;

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('http1');
  backend.handler = echo('http1');
  router = await lab.router({ providers: { static: { services: { q: { servers: [{ url: backend.url, identity: backend.spiffe }] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } } });
  gateway = await lab.gateway(router.endpoints['api'] as string);
});
after(() => lab.close());

/** A raw TLS connection; with `asGateway`, holding a gateway certificate (for the router). */
async function rawTls(url: string, asGateway = false): Promise<TLSSocket> {
  const { port } = new URL(url);
  const id = asGateway ? await lab.ca.identity('gateway', 'raw-client') : undefined;
  return new Promise((resolve, reject) => {
    const s = connect(
      { port: Number(port), host: '127.0.0.1', ca: lab.ca.rootPem, servername: 'localhost', ALPNProtocols: ['http/1.1'], ...(id ? { key: id.current.keyPem, cert: id.current.chainPem, checkServerIdentity: () => undefined } : {}) },
      () => resolve(s),
    );
    s.on('error', reject);
  });
}

/** Writes `parts` (one write each) and collects everything until the server closes or `until` matches. */
function exchange(s: TLSSocket, parts: string[], until?: (text: string) => boolean): Promise<string> {
  return new Promise((resolve) => {
    let out = '';
    const done = () => resolve(out);
    s.on('data', (c: Buffer) => {
      out += c.toString('latin1');
      if (until?.(out)) {
        s.destroy();
        done();
      }
    });
    s.on('close', done);
    s.on('error', done);
    for (const p of parts) s.write(p);
  });
}

const gw = () => gateway.endpoints['api'] as string;
const auth = `api-key: ${API_KEY}\r\n`;
const answers = (text: string) => text.match(/HTTP\/1\.1 \d{3} /g) ?? [];

describe('refused before any backend sees them', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['both Content-Length and Transfer-Encoding', `POST /collections/c/points HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 [\s\S]*ambiguous framing/],
    ['two different Content-Lengths', `POST /collections/c/points HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: 4\r\nContent-Length: 5\r\n\r\nsmug`, /^HTTP\/1\.1 400 [\s\S]*more than one Content-Length/],
    ['obsolete line folding', `GET /collections HTTP/1.1\r\nHost: localhost\r\n${auth}X-Folded: a\r\n b\r\n\r\n`, /^HTTP\/1\.1 400 [\s\S]*obsolete line folding/],
    ['a transfer coding other than chunked', `POST /collections/c/points HTTP/1.1\r\nHost: localhost\r\n${auth}Transfer-Encoding: identity\r\n\r\n`, /^HTTP\/1\.1 501 [\s\S]*only chunked/],
    ['an oversize head', `GET /collections HTTP/1.1\r\nHost: localhost\r\n${auth}X-Big: ${'b'.repeat(20_000)}\r\n\r\n`, /^HTTP\/1\.1 431 [\s\S]*exceeds 16384 bytes/],
    ['a malformed chunked body', `POST /collections/c/points HTTP/1.1\r\nHost: localhost\r\n${auth}Transfer-Encoding: chunked\r\n\r\n4\r\nsmuggled\r\n0\r\n\r\n`, /^HTTP\/1\.1 400 [\s\S]*chunk data longer than its size/],
  ];
  for (const [what, request, expected] of cases) {
    test(`${what}: a clear 4xx, the connection closed, nothing forwarded`, async () => {
      const before = backend.hits.length;
      const text = await exchange(await rawTls(gw()), [request]);
      assert.match(text, expected);
      assert.match(text, /connection: close/i);
      assert.equal(answers(text).length, 1, 'nothing after the refusal is read as another request');
      assert.equal(backend.hits.length, before);
    });
  }

  test('the router’s mTLS listener refuses ambiguous framing the same way', async () => {
    const before = backend.hits.length;
    const text = await exchange(await rawTls(router.endpoints['api'] as string, true), [`POST /x HTTP/1.1\r\nHost: q\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`]);
    assert.match(text, /^HTTP\/1\.1 400 [\s\S]*ambiguous framing/);
    assert.equal(backend.hits.length, before);
  });
});

describe('served', () => {
  test('pipelined requests are answered in order on one connection', async () => {
    const s = await rawTls(gw());
    const text = await exchange(
      s,
      [`GET /collections/one HTTP/1.1\r\nHost: localhost\r\n${auth}\r\nPOST /collections/two/points/search HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: 7\r\n\r\n{"a":1}GET /collections/three HTTP/1.1\r\nHost: localhost\r\n${auth}\r\n`],
      (t) => answers(t).length === 3 && t.includes('three'),
    );
    const order = [...text.matchAll(/"path":"\/collections\/(\w+)/g)].map((m) => m[1]);
    assert.deepEqual(order, ['one', 'two', 'three']);
    assert.match(text, /"body":"\{\\"a\\":1\}"/);
  });

  test('a chunked body split across many writes arrives whole', async () => {
    const s = await rawTls(gw());
    const body = '{"points":[1,2,3]}';
    const wire = `POST /collections/c/points/search HTTP/1.1\r\nHost: localhost\r\n${auth}Transfer-Encoding: chunked\r\n\r\n6;ext=1\r\n${body.slice(0, 6)}\r\n${(body.length - 6).toString(16)}\r\n${body.slice(6)}\r\n0\r\nX-Trailer: t\r\n\r\n`;
    const parts: string[] = [];
    for (let i = 0; i < wire.length; i += 7) parts.push(wire.slice(i, i + 7));
    const text = await exchange(s, parts, (t) => t.includes('"status":"ok"'));
    assert.match(text, /^HTTP\/1\.1 200 /);
    assert.ok(text.includes(JSON.stringify(body)), text);
  });

  test('HTTP/1.0 gets its answer and the connection closes; Expect: 100-continue gets 100 first', async () => {
    const old = await exchange(await rawTls(gw()), [`GET /collections HTTP/1.0\r\n${auth}\r\n`]);
    assert.match(old, /^HTTP\/1\.1 200 [\s\S]*connection: close/i);
    const s = await rawTls(gw());
    const got = exchange(s, [`POST /collections/c/points/search HTTP/1.1\r\nHost: localhost\r\n${auth}Content-Length: 2\r\nExpect: 100-continue\r\n\r\n`], (t) => t.includes('"status":"ok"'));
    await new Promise((r) => setTimeout(r, 100));
    s.write('{}');
    const text = await got;
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
  });
});
