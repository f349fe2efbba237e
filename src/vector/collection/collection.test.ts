import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { CollectionConfig } from './config.js';
import { comparePointIds, type PointId } from '../segment/point-id.js';
import { parseBody } from '../api/body.js';
import { filterSchema } from '../api/schemas/filter.js';
import { toFilter } from '../api/convert/filter.js';
import { dense } from '../segment/vector-value.js';

const config: CollectionConfig = {
  vectors: { kind: 'single', spec: { size: 2, distance: 'Dot', extra: {} } },
  options: { params: {}, hnsw_config: {}, optimizer_config: {}, wal_config: {}, quantization_config: null, strict_mode_config: {} },
};

async function withEngine(fn: (engine: Engine, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-collection-'));
  const engine = Engine.open(dir);
  try {
    await fn(engine, dir);
  } finally {
    engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function uuid(n: number): string {
  return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

const dv = (xs: number[]) => dense(Float32Array.from(xs));

const read = { withPayload: { kind: 'all' }, withVector: { kind: 'none' } } as const;

test('scroll pages visit every point exactly once, integers before UUIDs, in id order', async () => {
  await withEngine(async (engine) => {
    const c = engine.create('s', config);
    const ids: PointId[] = [];
    for (let i = 0; i < 137; i++) ids.push(i % 3 === 0 ? uuid(1000 - i) : i * 7);
    await c.update({ type: 'upsert', points: ids.map((id, i) => ({ id, vectors: new Map([['', dv([i, 1])]]), payload: { i, even: i % 2 === 0 } })) });

    for (const limit of [1, 10, 50, 136, 137, 500]) {
      const seen: PointId[] = [];
      let offset: PointId | undefined;
      let pages = 0;
      do {
        const page = c.scroll({ limit, ...(offset !== undefined ? { offset } : {}), ...read });
        assert.ok(page.points.length <= limit);
        seen.push(...page.points.map((p) => p.id));
        offset = page.nextOffset;
        pages++;
      } while (offset !== undefined);
      assert.deepEqual(seen, [...ids].sort(comparePointIds), `limit ${limit}`);
      assert.equal(pages, Math.max(1, Math.ceil(137 / limit)), `pages at limit ${limit}`);
    }
  });
});

test('scroll with a filter pages through matching points only; next_page_offset is the next match', async () => {
  await withEngine(async (engine) => {
    const c = engine.create('f', config);
    await c.update({ type: 'upsert', points: Array.from({ length: 40 }, (_, i) => ({ id: i, vectors: new Map([['', dv([i, 0])]]), payload: { even: i % 2 === 0 } })) });
    const filter = toFilter(parseBody(filterSchema, { must: [{ key: 'even', match: { value: true } }] }));
    const first = c.scroll({ limit: 5, filter, ...read });
    assert.deepEqual(first.points.map((p) => p.id), [0, 2, 4, 6, 8]);
    assert.equal(first.nextOffset, 10);
    const second = c.scroll({ limit: 5, offset: first.nextOffset!, filter, ...read });
    assert.deepEqual(second.points.map((p) => p.id), [10, 12, 14, 16, 18]);
    const last = c.scroll({ limit: 100, offset: 31, filter, ...read });
    assert.deepEqual(last.points.map((p) => p.id), [32, 34, 36, 38]);
    assert.equal(last.nextOffset, undefined);
    assert.equal(c.count(filter), 20);
  });
});

test('an offset that is not a stored id starts at the next id; deleted points disappear from pages', async () => {
  await withEngine(async (engine) => {
    const c = engine.create('d', config);
    await c.update({ type: 'upsert', points: [1, 3, 5, 7].map((id) => ({ id, vectors: new Map([['', dv([1, 1])]]), payload: {} })) });
    await c.update({ type: 'delete', selection: { kind: 'ids', ids: [5, 99] } });
    const page = c.scroll({ limit: 10, offset: 2, ...read });
    assert.deepEqual(page.points.map((p) => p.id), [3, 7]);
  });
});

test('an invalid operation changes nothing (all points of an upsert are checked first)', async () => {
  await withEngine(async (engine) => {
    const c = engine.create('v', config);
    await assert.rejects(
      () =>
        c.update({
          type: 'upsert',
          points: [
            { id: 1, vectors: new Map([['', dv([1, 2])]]), payload: {} },
            { id: 2, vectors: new Map([['', dv([1, 2, 3])]]), payload: {} },
          ],
        }),
      /Vector dimension error: expected dim: 2, got 3/,
    );
    assert.equal(c.count(), 0);
    assert.equal((await c.update({ type: 'upsert', points: [] })).operationId, 0, 'the failed operation used no operation number');
  });
});

test('collections and points survive reopening the data directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-reopen-'));
  try {
    const first = Engine.open(dir);
    const c = first.create('keep', config);
    await c.update({ type: 'upsert', points: [{ id: 'A1B2C3D4-E5F6-0718-293A-4B5C6D7E8F90'.toLowerCase(), vectors: new Map([['', dv([0.5, 0.25])]]), payload: { k: 'v' } }] });
    await c.update({ type: 'set_payload', selection: { kind: 'ids', ids: ['a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90'] }, payload: { more: [1, 2] } });
    first.close();
    const second = Engine.open(dir);
    const [p] = second.get('keep').retrieve(['a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90'], { withPayload: { kind: 'all' }, withVector: { kind: 'all' } });
    assert.deepEqual(p?.payload, { k: 'v', more: [1, 2] });
    assert.deepEqual(p?.vectors?.get(''), dv([0.5, 0.25]));
    assert.equal(p?.version, 1);
    assert.equal((await second.get('keep').update({ type: 'upsert', points: [] })).operationId, 2, 'operation numbers continue after a restart');
    second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
