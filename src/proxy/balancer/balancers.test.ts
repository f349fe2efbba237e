/** One contract for every balancer, then what each does on its own. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../core/log.js';
import { Backend } from '../backend.js';
import type { Balancer, WeightedBackend } from './balancer.js';
import { PowerOfTwoChoices } from './power-of-two.js';
import { WeightedRoundRobin } from './weighted-round-robin.js';

const fakePool = { close: async () => undefined } as unknown as Backend['pool'];
const backend = (name: string) => new Backend(`https://${name}:1`, `spiffe://t/vector/${name}`, fakePool, silentLogger());
const entries = (...weights: number[]): WeightedBackend[] => weights.map((w, i) => ({ backend: backend(`b${i}`), weight: w }));

const implementations: Array<[string, (e: WeightedBackend[]) => Balancer]> = [
  ['weighted round robin', (e) => new WeightedRoundRobin(e)],
  ['power of two choices', (e) => new PowerOfTwoChoices(e)],
];

for (const [name, make] of implementations) {
  describe(`${name} (balancer contract)`, () => {
    test('returns undefined when nothing is eligible', () => {
      assert.equal(make([]).pick(), undefined);
      const e = entries(1, 1);
      for (const x of e) x.backend.markDown('test');
      assert.equal(make(e).pick(), undefined);
    });
    test('never picks a backend that is down, ejected, weighted 0, or already tried', () => {
      const e = entries(1, 1, 0, 1, 1);
      e[0]?.backend.markDown('down');
      e[1]?.backend.recordFailure({ maxFailures: 1, ejectFor: 60_000 }, 'ejected');
      const tried = new Set([e[3]?.backend as Backend]);
      const b = make(e);
      for (let i = 0; i < 50; i++) assert.equal(b.pick(tried), e[4]?.backend);
    });
    test('uses every eligible backend', () => {
      const e = entries(1, 1, 1);
      const b = make(e);
      const seen = new Set<Backend | undefined>();
      for (let i = 0; i < 60; i++) seen.add(b.pick());
      assert.equal(seen.size, 3);
    });
  });
}

test('weighted round robin is smooth: 5/1/1 gives a a b a c a a', () => {
  const e = entries(5, 1, 1);
  const b = new WeightedRoundRobin(e);
  const names = Array.from({ length: 7 }, () => b.pick()?.url.slice(8, 10));
  assert.deepEqual(names, ['b0', 'b0', 'b1', 'b0', 'b2', 'b0', 'b0']);
});

test('power of two choices prefers the backend with fewer requests in flight per weight', () => {
  const e = entries(1, 1);
  (e[0] as WeightedBackend).backend.inFlight = 10;
  const b = new PowerOfTwoChoices(e);
  for (let i = 0; i < 20; i++) assert.equal(b.pick(), e[1]?.backend);
  const w = entries(4, 1);
  (w[0] as WeightedBackend).backend.inFlight = 3; // 0.75 per unit of weight
  (w[1] as WeightedBackend).backend.inFlight = 1; // 1 per unit of weight
  assert.equal(new PowerOfTwoChoices(w).pick(), w[0]?.backend);
});
