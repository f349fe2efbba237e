import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafValidity, MAX_BACKDATE_MS } from './lifetime.js';

const H = 3_600_000;
const policy = { default: 24 * H, min: 5 * 60_000, max: 24 * H };
const now = Date.UTC(2030, 0, 1);
const far = new Date(now + 365 * 24 * H);

test('leaf lifetimes are clamped to the configured bounds and to the intermediate', async (t) => {
  const cases: Array<{ name: string; requestedMs?: number; issuerNotAfter?: Date; policy?: typeof policy; lifetime: number }> = [
    { name: 'no request gets the default', lifetime: 24 * H },
    { name: 'a request within bounds is honoured', requestedMs: 2 * H, lifetime: 2 * H },
    { name: 'too short is raised to min', requestedMs: 1000, lifetime: 5 * 60_000 },
    { name: 'too long is cut to max', requestedMs: 30 * 24 * H, lifetime: 24 * H },
    { name: 'never outlives the intermediate', issuerNotAfter: new Date(now + H), lifetime: H },
    { name: 'test-sized bounds: seconds', policy: { default: 3000, min: 1000, max: 60_000 }, lifetime: 3000 },
    { name: 'test-sized bounds: request under a 1s min', policy: { default: 3000, min: 1000, max: 60_000 }, requestedMs: 10, lifetime: 1000 },
  ];
  for (const c of cases) {
    await t.test(c.name, () => {
      const v = leafValidity(c.policy ?? policy, { requestedMs: c.requestedMs, now, issuerNotAfter: c.issuerNotAfter ?? far });
      assert.equal(v.notAfter.getTime() - now, c.lifetime);
      const backdate = now - v.notBefore.getTime();
      assert.ok(backdate > 0, 'notBefore is backdated');
      assert.ok(backdate <= MAX_BACKDATE_MS, `backdate ${backdate} ms is a few seconds at most`);
      assert.ok(backdate <= c.lifetime / 10 + 999, 'backdate is at most 10 % of the lifetime (X.509 times have whole seconds)');
      assert.equal(v.notBefore.getTime() % 1000, 0);
      assert.equal(v.notAfter.getTime() % 1000, 0);
      assert.equal(v.lifetimeMs, Math.min((c.policy ?? policy).max, Math.max((c.policy ?? policy).min, c.requestedMs ?? (c.policy ?? policy).default)));
    });
  }
});

test('whole-second rounding never shortens a lifetime: notBefore rounds down, notAfter up', () => {
  const p = { default: 3000, min: 1000, max: 60_000 };
  for (const offset of [1, 250, 500, 999]) {
    const at = now + offset;
    const v = leafValidity(p, { now: at, issuerNotAfter: far });
    assert.ok(v.notAfter.getTime() - at >= 3000 && v.notAfter.getTime() - at < 4000, `offset ${offset}: lifetime ${v.notAfter.getTime() - at}`);
    assert.ok(v.notBefore.getTime() <= at - 300 && at - v.notBefore.getTime() < 1300, `offset ${offset}: backdate ${at - v.notBefore.getTime()}`);
  }
});

test('an expired intermediate cannot issue', () => {
  assert.throws(() => leafValidity(policy, { now, issuerNotAfter: new Date(now - 1000) }), (err: Error & { status?: number }) => {
    assert.equal(err.status, 503);
    assert.match(err.message, /intermediate CA certificate expired at/);
    return true;
  });
});
