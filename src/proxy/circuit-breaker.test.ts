import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../core/log.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { RetryBudget } from './retry-budget.js';
import { WindowCounter } from './window-counter.js';

test('the breaker opens at the failure ratio once enough requests were seen, probes once, and closes on success', () => {
  const b = new CircuitBreaker({ failureRatio: 0.5, minRequests: 4, window: 10_000, openFor: 1000 }, 's', silentLogger());
  let t = 1_000_000;
  for (const ok of [true, false, false]) b.record(ok, t);
  assert.equal(b.state, 'closed', 'too few requests to judge');
  b.record(true, t);
  assert.equal(b.state, 'closed', '2 of 4 failed: at the ratio, but the last one passed');
  b.record(false, t);
  assert.equal(b.state, 'open', '3 of 5 failed');
  assert.equal(b.allow(t + 999), false);
  assert.equal(b.allow((t += 1000)), true, 'one probe after openFor');
  assert.equal(b.allow(t), false, 'only one probe at a time');
  b.record(false, t);
  assert.equal(b.state, 'open', 'a failed probe opens it again');
  assert.equal(b.allow((t += 1000)), true);
  b.record(true, t);
  assert.equal(b.state, 'closed');
  assert.equal(b.allow(t), true);
});

test('old outcomes leave the window', () => {
  const w = new WindowCounter(1000);
  w.add(5, 10_000);
  assert.equal(w.sum(10_500), 5);
  assert.equal(w.sum(11_100), 0);
});

test('the retry budget allows minPerSecond over the window plus a share of requests', () => {
  const budget = new RetryBudget({ attempts: 3, budgetRatio: 0.5, minPerSecond: 0 });
  const t = 5_000_000;
  for (let i = 0; i < 10; i++) budget.onRequest(t);
  const granted = Array.from({ length: 10 }, () => budget.tryRetry(t)).filter(Boolean).length;
  assert.equal(granted, 5);
  const floor = new RetryBudget({ attempts: 3, budgetRatio: 0, minPerSecond: 1 });
  assert.equal(Array.from({ length: 20 }, () => floor.tryRetry(t)).filter(Boolean).length, 10, '1 per second over the 10 s window');
});
