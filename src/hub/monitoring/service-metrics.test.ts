import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ServiceMetrics } from './service-metrics.js';

const T0 = 1_700_000_000_000 - (1_700_000_000_000 % 5000);

test('rates come from counter deltas summed over a service’s instances, per 5 s bin', () => {
  const m = new ServiceMetrics();
  const c = (requests: number, serverErrors: number, fast: number) => ({ requests, clientErrors: 0, serverErrors, buckets: [[0.01, fast], [0.1, requests]] as Array<[number, number]> });
  m.observe('s/a', 'i1', c(100, 0, 100), T0 + 100);
  m.observe('s/a', 'i2', c(50, 0, 50), T0 + 200);
  // The next bin: i1 answers 40 more (2 errors, 4 slow), i2 answers 10 more.
  m.observe('s/a', 'i1', c(140, 2, 136), T0 + 5100);
  m.observe('s/a', 'i2', c(60, 0, 60), T0 + 5200);
  const [series] = m.series(60_000, T0 + 10_100);
  assert.equal(series?.service, 's/a');
  const bin = series?.points.find((p) => p.t === T0 + 5000);
  assert.deepEqual(bin, { t: T0 + 5000, requests: 50, rps: 10, errorRate: 0.04, p99Ms: 100 });
});

test('a restarted replica (its counters went down) counts from zero, not negative', () => {
  const m = new ServiceMetrics();
  const c = (requests: number) => ({ requests, clientErrors: 0, serverErrors: 0, buckets: [[0.005, requests]] as Array<[number, number]> });
  m.observe('s/a', 'i1', c(1000), T0 + 100);
  m.observe('s/a', 'i1', c(30), T0 + 5100);
  const bin = m.series(60_000, T0 + 10_100)[0]?.points.find((p) => p.t === T0 + 5000);
  assert.equal(bin?.requests, 30);
  assert.equal(bin?.p99Ms, 5);
});

test('nothing is reported before a service’s first figures, and old bins are pruned', () => {
  const m = new ServiceMetrics(5000, 60_000);
  m.observe('s/a', 'i1', { requests: 1, clientErrors: 0, serverErrors: 0, buckets: [] }, T0);
  m.observe('s/a', 'i1', { requests: 2, clientErrors: 0, serverErrors: 0, buckets: [] }, T0 + 5000);
  assert.equal(m.series(15 * 60_000, T0 + 10_000)[0]?.points[0]?.t, T0 + 5000);
  m.prune(T0 + 5 * 60_000);
  assert.deepEqual(m.series(15 * 60_000, T0 + 5 * 60_000), []);
});
