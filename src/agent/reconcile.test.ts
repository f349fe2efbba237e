import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../core/log.js';
import { reconcile, type Runtime } from './reconcile.js';
import type { DesiredInstance } from './report/hub-client.js';

interface Held {
  id: string;
  specHash: string;
  origin: 'hub' | 'found';
}

class FakeRuntime implements Runtime {
  constructor(public items: Held[]) {}
  held(): Held[] {
    return this.items.map((i) => ({ ...i }));
  }
  start(spec: DesiredInstance): void {
    this.items.push({ id: spec.id, specHash: spec.specHash, origin: 'hub' });
  }
  replace(spec: DesiredInstance): void {
    this.items = this.items.map((i) => (i.id === spec.id ? { id: spec.id, specHash: spec.specHash, origin: 'hub' } : i));
  }
  claim(spec: DesiredInstance): void {
    this.items = this.items.map((i) => (i.id === spec.id ? { ...i, origin: 'hub' } : i));
  }
  async stop(id: string): Promise<void> {
    this.items = this.items.filter((i) => i.id !== id);
  }
}

const want = (id: string, specHash = 'h1', runtime = 'embedded'): DesiredInstance => ({
  id,
  stack: 's',
  service: 'q',
  runtime,
  identity: `spiffe://td/vector/${id}`,
  specHash,
  spec: { restart: 'always', healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } },
});
const held = (id: string, specHash = 'h1', origin: 'hub' | 'found' = 'hub'): Held => ({ id, specHash, origin });

const cases: Array<{ what: string; held: Held[]; desired: DesiredInstance[]; keep?: string[]; result: Partial<Record<'started' | 'replaced' | 'stopped' | 'skipped', string[]>>; after: Held[] }> = [
  { what: 'starts what is missing', held: [], desired: [want('s-q-1')], result: { started: ['s-q-1'] }, after: [held('s-q-1')] },
  { what: 'leaves instances with the same spec alone', held: [held('s-q-1')], desired: [want('s-q-1')], result: {}, after: [held('s-q-1')] },
  { what: 'replaces an instance whose spec changed', held: [held('s-q-1', 'old')], desired: [want('s-q-1', 'new')], result: { replaced: ['s-q-1'] }, after: [held('s-q-1', 'new')] },
  { what: 'stops what is no longer desired', held: [held('s-q-1'), held('s-q-2')], desired: [want('s-q-1')], result: { stopped: ['s-q-2'] }, after: [held('s-q-1')] },
  { what: 'an empty desired list stops everything', held: [held('s-q-1')], desired: [], result: { stopped: ['s-q-1'] }, after: [] },
  { what: 'keeps a found instance the hub says to keep', held: [held('x-y-1', 'f', 'found')], desired: [], keep: ['x-y-1'], result: {}, after: [held('x-y-1', 'f', 'found')] },
  { what: 'stops a found instance the hub does not keep', held: [held('x-y-1', 'f', 'found')], desired: [], result: { stopped: ['x-y-1'] }, after: [] },
  { what: 'claims a found instance the hub now asks for', held: [held('s-q-1', 'h1', 'found')], desired: [want('s-q-1')], result: {}, after: [held('s-q-1')] },
  { what: 'skips runtimes it cannot run', held: [], desired: [want('s-q-1', 'h1', 'docker'), want('s-r-1')], result: { started: ['s-r-1'], skipped: ['s-q-1'] }, after: [held('s-r-1')] },
];

for (const c of cases) {
  test(`reconcile ${c.what}`, async () => {
    const runtime = new FakeRuntime([...c.held]);
    const result = reconcile(runtime, { instances: c.desired, keep: c.keep ?? [] }, ['embedded', 'process', 'external'], silentLogger());
    assert.deepEqual(result, { started: [], replaced: [], stopped: [], skipped: [], ...c.result });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(runtime.items.sort((a, b) => a.id.localeCompare(b.id)), c.after);
  });
}
