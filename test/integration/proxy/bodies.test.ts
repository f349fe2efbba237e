/**
 * Bodies of every size and framing through gateway → router → backend: a large upload streamed
 * (not held for retries), large answers streamed with backpressure, chunked answers, answers read to
 * the close, and HEAD — byte for byte.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { GatewayHandle } from '../../../src/gateway/main.js';
import { API_KEY, call, ProxyLab, type LabBackend } from './support.js';

let lab: ProxyLab;
let backend: LabBackend;
let gateway: GatewayHandle;
const big = Buffer.alloc(3 * 1024 * 1024 + 17, 'q');
const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('bodies');
  backend.handler = (req, res, body) => {
    const url = req.url ?? '';
    if (url.startsWith('/upload')) {
      const text = JSON.stringify({ size: Buffer.byteLength(body), sha: sha(body) });
      return void res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
    }
    if (url.startsWith('/large')) return void res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': big.length }).end(big);
    if (url.startsWith('/chunked')) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      let n = 0;
      const tick = setInterval(() => {
        res.write(`part-${n}\n`);
        if (++n === 50) {
          clearInterval(tick);
          res.end('done\n');
        }
      }, 2);
      return;
    }
    if (url.startsWith('/to-close')) {
      res.shouldKeepAlive = false;
      res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
      res.write('read ');
      return void res.end('to the close');
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 5, 'x-kind': 'head' }).end(req.method === 'HEAD' ? undefined : 'hello');
  };
  const router = await lab.router({ providers: { static: { services: { q: { servers: [{ url: backend.url, identity: backend.spiffe }] } }, routers: { q: { rule: 'PathPrefix(`/`)', service: 'q' } } } } });
  gateway = await lab.gateway(router.endpoints['api'] as string);
});
after(() => lab.close());

const send = (method: string, path: string, body: Buffer | null = null) => call(lab.client(), `${gateway.endpoints['api']}${path}`, { method, headers: { 'api-key': API_KEY, 'content-type': 'application/octet-stream' }, body });

test('a 3 MB upload arrives byte for byte', async () => {
  const a = await send('PUT', '/upload', big);
  assert.equal(a.status, 200, a.text);
  assert.deepEqual(JSON.parse(a.text), { size: big.length, sha: sha(big) });
});

test('a 3 MB answer, several at once, arrives byte for byte', async () => {
  const answers = await Promise.all([1, 2, 3].map(() => send('GET', '/large')));
  for (const a of answers) {
    assert.equal(a.status, 200);
    assert.equal(a.text.length, big.length);
    assert.equal(sha(a.text), sha(big));
  }
});

test('chunked answers and answers read to the close pass through', async () => {
  const chunked = await send('GET', '/chunked');
  assert.equal(chunked.status, 200);
  assert.equal(chunked.text.split('\n').filter(Boolean).length, 51);
  assert.ok(chunked.text.endsWith('part-49\ndone\n'));
  for (let i = 0; i < 3; i++) {
    const closed = await send('GET', '/to-close');
    assert.equal(closed.text, 'read to the close');
  }
});

test('HEAD answers carry headers and no body', async () => {
  const head = await call(lab.client(), `${gateway.endpoints['api']}/head`, { method: 'HEAD', headers: { 'api-key': API_KEY } });
  assert.equal(head.status, 200);
  assert.equal(head.headers['x-kind'], 'head');
  assert.equal(head.text, '');
  const get = await send('GET', '/head');
  assert.equal(get.text, 'hello', 'the connection is still in step after a HEAD');
});
