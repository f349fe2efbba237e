import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../core/log.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigAggregator, type AggregatedConfig } from './aggregator.js';

const server = { url: 'https://127.0.0.1:1', identity: 'spiffe://t/vector/a' };

function collect(throttleMs = 0) {
  const applied: AggregatedConfig[] = [];
  const agg = new ConfigAggregator({ logger: silentLogger(), throttleMs, apply: (c) => applied.push(c) });
  return { agg, applied };
}

test('names items name@provider and resolves references within the provider unless qualified', () => {
  const { agg, applied } = collect();
  agg.update('file', { services: { q: { servers: [server] } }, routers: { r: { rule: 'Host(`a`)', service: 'q', middlewares: ['m', 'x@hub'] } }, middlewares: { m: { rateLimit: { average: 1 } } } });
  agg.flush();
  const c = applied.at(-1)?.config;
  assert.deepEqual(Object.keys(c?.services ?? {}), ['q@file']);
  assert.equal(c?.routers['r@file']?.service, 'q@file');
  assert.deepEqual(c?.routers['r@file']?.middlewares, ['m@file', 'x@hub']);
  assert.deepEqual(Object.keys(c?.middlewares ?? {}), ['m@file']);
});

test('drops unchanged snapshots; a bad item is reported and the others are kept', () => {
  const { agg, applied } = collect();
  const snap = { services: { good: { servers: [server] }, bad: { servers: [{ url: 'http://plain', identity: 'x' }] } } };
  agg.update('static', snap);
  agg.flush();
  agg.update('static', JSON.parse(JSON.stringify(snap)) as typeof snap);
  agg.flush();
  assert.equal(applied.length, 1);
  assert.deepEqual(Object.keys(applied[0]?.config.services ?? {}), ['good@static']);
  assert.equal(applied[0]?.errors[0]?.item, 'bad@static');
  assert.match(applied[0]?.errors[0]?.error ?? '', /https/);
});

test('throttles a burst of changes into few rebuilds, the last one winning', async () => {
  const { agg, applied } = collect(100);
  for (let i = 0; i < 20; i++) agg.update('hub', { services: { q: { servers: [{ ...server, weight: i + 1 }] } } });
  await sleep(350);
  assert.ok(applied.length <= 3, `${applied.length} rebuilds`);
  assert.equal(applied.at(-1)?.config.services['q@hub']?.servers[0]?.weight, 20);
  agg.close();
});

test('a failing provider keeps its last snapshot and is reported until it works again', () => {
  const { agg, applied } = collect();
  agg.update('hub', { services: { q: { servers: [server] } } });
  agg.fail('hub', 'hub unreachable');
  agg.flush();
  assert.ok(applied.at(-1)?.config.services['q@hub']);
  assert.deepEqual(applied.at(-1)?.errors, [{ item: '@hub', error: 'hub unreachable' }]);
  agg.update('hub', { services: { q: { servers: [server] } } });
  agg.flush();
  assert.deepEqual(applied.at(-1)?.errors, []);
});
