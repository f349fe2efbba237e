/**
 * The upstream pool's timers, which are kept off the per-request path: one response-timeout timer
 * per connection (moved by progress, re-armed only when a request needs an earlier deadline) and
 * one idle sweep per pool.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityPolicy } from '../../../src/core/tls/index.js';
import { UpstreamPool } from '../../../src/proxy/upstream/pool.js';
import { ProxyLab, type LabBackend } from './support.js';

let lab: ProxyLab;
let backend: LabBackend;

before(async () => {
  lab = await ProxyLab.create();
  backend = await lab.backend('pool');
  backend.handler = (req, res) => {
    if (req.url === '/hang') return; // never answers
    const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
    setTimeout(() => res.end('ok'), delay);
  };
});
after(() => lab.close());

async function pool(idleTimeoutMs = 30_000): Promise<UpstreamPool> {
  return new UpstreamPool({ url: backend.url, identity: await lab.ca.identity('router', 'pool-client'), serverPolicy: IdentityPolicy.fromPattern(backend.spiffe), idleTimeoutMs });
}

function get(p: UpstreamPool, path: string, timeoutMs: number): Promise<{ status?: number; error?: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    let status = 0;
    p.dispatch(
      { method: 'GET', path, headers: ['host', 'pool'], body: null, timeoutMs },
      { onHeaders: (s) => (status = s), onData: () => true, onComplete: () => resolve({ status, ms: Date.now() - t0 }), onError: (e) => resolve({ error: e.code ?? e.message, ms: Date.now() - t0 }) },
    );
  });
}

test('a short response timeout on a connection last used with a long one fires on time', async () => {
  const p = await pool();
  try {
    assert.equal((await get(p, '/?delay=0', 60_000)).status, 200);
    assert.equal(p.connections, 1);
    const hung = await get(p, '/hang', 300); // reuses the connection whose timer was armed for 60 s
    assert.equal(hung.error, 'UND_ERR_HEADERS_TIMEOUT');
    assert.ok(hung.ms >= 280 && hung.ms < 2000, `timed out after ${hung.ms} ms`);
  } finally {
    await p.close();
  }
});

test('a slow answer within the timeout is not cut by a timer armed for an earlier request', async () => {
  const p = await pool();
  try {
    for (let i = 0; i < 5; i++) assert.equal((await get(p, '/?delay=60', 200)).status, 200);
    // Each request moved the deadline: the connection survives many timeout periods in total.
    assert.equal(p.connections, 1);
  } finally {
    await p.close();
  }
});

test('idle connections are closed by the sweep after the idle timeout, busy ones are not', async () => {
  const p = await pool(300);
  try {
    await Promise.all([get(p, '/?delay=20', 5000), get(p, '/?delay=20', 5000), get(p, '/?delay=20', 5000)]);
    assert.equal(p.connections, 3);
    // Long enough that a busy machine still sees the sweep before this answer ends.
    const slow = get(p, '/?delay=4000', 10_000);
    const deadline = Date.now() + 3500;
    while (p.connections > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(p.connections, 1, 'only the connection with a request in flight remains');
    assert.equal((await slow).status, 200);
  } finally {
    await p.close();
  }
});
