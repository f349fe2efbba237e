import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../core/log.js';
import { reconcile, type Runtime } from './reconcile.js';
import type { DesiredInstance } from './report/hub-client.js';

class FakeRuntime implements Runtime {
  constructor(public running: string[]) {}
  ids(): string[] {
    return [...this.running];
  }
  ensure(spec: DesiredInstance): void {
    this.running.push(spec.id);
  }
  async stop(id: string): Promise<void> {
    this.running = this.running.filter((r) => r !== id);
  }
}

const want = (id: string, runtime = 'embedded'): DesiredInstance => ({ id, stack: 's', service: 'q', runtime, identity: `spiffe://td/vector/${id}` });

const cases: Array<{ what: string; running: string[]; desired: DesiredInstance[]; started: string[]; stopped: string[]; skipped: string[]; after: string[] }> = [
  { what: 'starts what is missing', running: [], desired: [want('s-q-1')], started: ['s-q-1'], stopped: [], skipped: [], after: ['s-q-1'] },
  { what: 'leaves running instances alone', running: ['s-q-1'], desired: [want('s-q-1')], started: [], stopped: [], skipped: [], after: ['s-q-1'] },
  { what: 'stops what is no longer desired', running: ['s-q-1', 's-q-2'], desired: [want('s-q-1')], started: [], stopped: ['s-q-2'], skipped: [], after: ['s-q-1'] },
  { what: 'an empty desired list stops everything', running: ['s-q-1'], desired: [], started: [], stopped: ['s-q-1'], skipped: [], after: [] },
  { what: 'skips runtimes it cannot run', running: [], desired: [want('s-q-1', 'docker'), want('s-r-1')], started: ['s-r-1'], stopped: [], skipped: ['s-q-1'], after: ['s-r-1'] },
];

for (const c of cases) {
  test(`reconcile ${c.what}`, async () => {
    const runtime = new FakeRuntime([...c.running]);
    const result = reconcile(runtime, c.desired, ['embedded'], silentLogger());
    assert.deepEqual(result, { started: c.started, stopped: c.stopped, skipped: c.skipped });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(runtime.running.sort(), c.after);
  });
}
