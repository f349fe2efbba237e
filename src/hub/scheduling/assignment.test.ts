import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assignInstances, type Candidate } from './assignment.js';
import type { InstanceSpec } from '../stacks/instances.js';
import type { Assignment } from '../store/instances.js';
import { agentLiveness } from './liveness.js';

const spec = (service: string, n: number, stack = 'qdrant_service'): InstanceSpec => ({
  id: `${stack}-${service}-${n}`,
  stack,
  service,
  slot: n,
  runtime: 'embedded',
  spec: { restart: 'always', healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } },
});
const up = (name: string): Candidate => ({ name, healthy: true, silentForMs: 500 });
const down = (name: string, silentForMs: number): Candidate => ({ name, healthy: false, silentForMs });
const assigned = (s: InstanceSpec, agent: string, assignedAt = 1): Assignment => ({ instanceId: s.id, stack: s.stack, service: s.service, agent, assignedAt });
const MIN = 60_000;

const q1 = spec('qdrant', 1);
const a1 = spec('a', 1);
const b1 = spec('b', 1);
const c1 = spec('c', 1);

const cases: Array<{ what: string; desired: InstanceSpec[]; agents: Candidate[]; current: Assignment[]; expect: Record<string, string> }> = [
  { what: 'one agent takes every instance', desired: [q1, a1, b1], agents: [up('host1')], current: [], expect: { [q1.id]: 'host1', [a1.id]: 'host1', [b1.id]: 'host1' } },
  { what: 'no agent: nothing is assigned', desired: [q1], agents: [], current: [], expect: {} },
  { what: 'only a silent agent: new instances wait', desired: [q1], agents: [down('host1', 5 * MIN)], current: [], expect: {} },
  { what: 'new instances spread to the least-loaded agent, ties by name', desired: [a1, b1, c1], agents: [up('h2'), up('h1')], current: [], expect: { [a1.id]: 'h1', [b1.id]: 'h2', [c1.id]: 'h1' } },
  {
    what: 'existing placements are kept when a new agent joins (stable)',
    desired: [a1, b1],
    agents: [up('h1'), up('h0')],
    current: [assigned(a1, 'h1'), assigned(b1, 'h1')],
    expect: { [a1.id]: 'h1', [b1.id]: 'h1' },
  },
  {
    what: 'sticky placements count as load for new instances',
    desired: [a1, b1, c1],
    agents: [up('h1'), up('h2')],
    current: [assigned(a1, 'h1'), assigned(b1, 'h1')],
    expect: { [a1.id]: 'h1', [b1.id]: 'h1', [c1.id]: 'h2' },
  },
  {
    what: 'a briefly silent agent keeps its instances',
    desired: [q1],
    agents: [down('h1', 5000), up('h2')],
    current: [assigned(q1, 'h1')],
    expect: { [q1.id]: 'h1' },
  },
  {
    what: 'an agent silent past reassignAfter loses its instances to a healthy one',
    desired: [q1],
    agents: [down('h1', 11 * MIN), up('h2')],
    current: [assigned(q1, 'h1')],
    expect: { [q1.id]: 'h2' },
  },
  {
    what: 'a long-silent agent keeps its instances when no other agent is up',
    desired: [q1],
    agents: [down('h1', 60 * MIN)],
    current: [assigned(q1, 'h1')],
    expect: { [q1.id]: 'h1' },
  },
  {
    what: 'instances no longer desired are dropped; an assignment to an unknown agent is redone',
    desired: [a1],
    agents: [up('h2')],
    current: [assigned(a1, 'gone'), assigned(b1, 'h2')],
    expect: { [a1.id]: 'h2' },
  },
];

for (const c of cases) {
  test(`assignment: ${c.what}`, () => {
    const out = assignInstances({ desired: c.desired, agents: c.agents, current: c.current, now: 1000, reassignAfterMs: 10 * MIN });
    assert.deepEqual(Object.fromEntries(out.map((a) => [a.instanceId, a.agent])), c.expect);
  });
}

test('assignment keeps the original assignedAt for kept placements and stamps new ones', () => {
  const out = assignInstances({ desired: [a1, b1], agents: [up('h1')], current: [assigned(a1, 'h1', 42)], now: 1000, reassignAfterMs: MIN });
  assert.deepEqual(
    out.map((a) => [a.instanceId, a.assignedAt]),
    [
      [a1.id, 42],
      [b1.id, 1000],
    ],
  );
  // Running it again on its own output changes nothing.
  assert.deepEqual(assignInstances({ desired: [a1, b1], agents: [up('h1')], current: out, now: 2000, reassignAfterMs: MIN }), out);
});

test('an agent is unhealthy after the allowed number of missed syncs, with a reason', () => {
  const policy = { agentSyncInterval: 1000, missedSyncs: 3 };
  assert.equal(agentLiveness({ lastHeartbeatAt: 10_000, syncIntervalMs: null }, policy, 12_900).healthy, true);
  const late = agentLiveness({ lastHeartbeatAt: 10_000, syncIntervalMs: null }, policy, 14_000);
  assert.equal(late.healthy, false);
  assert.match(late.detail, /missed 4 syncs: last sync 4\.0 s ago/);
  // An agent that states a slower interval gets a proportionally longer allowance.
  assert.equal(agentLiveness({ lastHeartbeatAt: 10_000, syncIntervalMs: 5000 }, policy, 24_000).healthy, true);
});
