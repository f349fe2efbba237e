/**
 * Collections, aliases, named vectors, payload indexes and the service endpoints through the
 * official client (raw HTTP where the client has no method): creation with every parameter echoed
 * in the config, PATCH, info with status / counts / payload_schema, exists, delete, alias actions
 * and conflicts, named vectors added and deleted, optimizations, cluster, telemetry, issues.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, startPlainVector, type PlainVector } from './harness.js';

let server: PlainVector;
let client: QdrantClient;

type ClientError = { status?: number; data?: { status?: { error?: string } } };
function rejectsWith(status: number, message?: string | RegExp) {
  return (err: ClientError) => {
    assert.equal(err.status, status);
    if (typeof message === 'string') assert.equal(err.data?.status?.error, message);
    else if (message) assert.match(err.data?.status?.error ?? '', message);
    return true;
  };
}

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
});

after(async () => {
  await server?.close();
});

test('create with every parameter: the config echoes them with Qdrant’s defaults filled in', async () => {
  assert.equal(
    await client.createCollection('full', {
      vectors: {
        text: { size: 8, distance: 'Cosine', hnsw_config: { m: 32 }, on_disk: true },
        colbert: { size: 4, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
      },
      sparse_vectors: { keywords: { modifier: 'idf' } },
      shard_number: 1,
      replication_factor: 1,
      write_consistency_factor: 1,
      on_disk_payload: false,
      hnsw_config: { m: 8, ef_construct: 64 },
      optimizers_config: { indexing_threshold: 5000 },
      wal_config: { wal_capacity_mb: 16 },
      metadata: { owner: 'team-a' },
    }),
    true,
  );
  const info = await client.getCollection('full');
  assert.equal(info.status, 'green');
  assert.equal(info.optimizer_status, 'ok');
  assert.equal(info.points_count, 0);
  assert.deepEqual(info.payload_schema, {});
  const params = info.config.params;
  const vectors = params.vectors as Record<string, { size: number; distance: string; hnsw_config?: { m: number }; on_disk?: boolean; multivector_config?: { comparator: string } }>;
  assert.equal(vectors.text!.size, 8);
  assert.equal(vectors.text!.hnsw_config!.m, 32);
  assert.equal(vectors.text!.on_disk, true);
  assert.deepEqual(vectors.colbert!.multivector_config, { comparator: 'max_sim' });
  assert.deepEqual(params.sparse_vectors, { keywords: { modifier: 'idf' } });
  assert.equal(params.on_disk_payload, false);
  assert.equal(info.config.hnsw_config.m, 8);
  assert.equal(info.config.hnsw_config.ef_construct, 64);
  assert.equal(info.config.hnsw_config.full_scan_threshold, 10000);
  assert.equal(info.config.optimizer_config.indexing_threshold, 5000);
  assert.equal(info.config.wal_config?.wal_capacity_mb, 16);
  assert.deepEqual(info.config.metadata, { owner: 'team-a' });
});

test('exists, list, delete, and the errors of each', async () => {
  await client.createCollection('tmp', { vectors: { size: 2, distance: 'Dot' } });
  assert.deepEqual(await client.collectionExists('tmp'), { exists: true });
  assert.ok((await client.getCollections()).collections.some((c) => c.name === 'tmp'));
  await assert.rejects(client.createCollection('tmp', { vectors: { size: 2, distance: 'Dot' } }), rejectsWith(409, 'Wrong input: Collection `tmp` already exists!'));
  assert.equal(await client.deleteCollection('tmp'), true);
  assert.deepEqual(await client.collectionExists('tmp'), { exists: false });
  assert.equal(await client.deleteCollection('tmp'), false);
  await assert.rejects(client.getCollection('tmp'), rejectsWith(404, "Not found: Collection `tmp` doesn't exist!"));
});

test('PATCH updates parameters and the config shows them', async () => {
  await client.createCollection('patch', { vectors: { v: { size: 4, distance: 'Cosine' } }, sparse_vectors: { s: {} } });
  assert.equal(
    await client.updateCollection('patch', {
      optimizers_config: { indexing_threshold: 1234 },
      hnsw_config: { m: 24 },
      vectors: { v: { hnsw_config: { ef_construct: 50 }, on_disk: true } },
      sparse_vectors: { s: { modifier: 'idf' } },
      params: { replication_factor: 1 },
      metadata: { stage: 'prod' },
    }),
    true,
  );
  const info = await client.getCollection('patch');
  assert.equal(info.config.optimizer_config.indexing_threshold, 1234);
  assert.equal(info.config.hnsw_config.m, 24);
  const v = (info.config.params.vectors as Record<string, { hnsw_config?: { ef_construct?: number }; on_disk?: boolean }>).v!;
  assert.equal(v.hnsw_config?.ef_construct, 50);
  assert.equal(v.on_disk, true);
  assert.deepEqual(info.config.params.sparse_vectors, { s: { modifier: 'idf' } });
  assert.deepEqual(info.config.metadata, { stage: 'prod' });
  await assert.rejects(client.updateCollection('nope', { hnsw_config: { m: 4 } }), rejectsWith(404));
});

test('named vectors: add a dense and a sparse vector to a collection, use them, delete one', async () => {
  await client.createCollection('nv', { vectors: { a: { size: 2, distance: 'Dot' } } });
  await client.upsert('nv', { wait: true, points: [{ id: 1, vector: { a: [1, 0] } }] });
  const added = await client.createVectorName('nv', 'b', { dense: { size: 3, distance: 'Euclid' } }, { wait: true });
  assert.equal(added.status, 'completed');
  await client.createVectorName('nv', 'sp', { sparse: { modifier: 'idf' } }, { wait: true });
  await client.updateVectors('nv', { wait: true, points: [{ id: 1, vector: { b: [1, 2, 3], sp: { indices: [4], values: [1] } } }] });
  const [p] = await client.retrieve('nv', { ids: [1], with_vector: true });
  assert.deepEqual(p!.vector, { a: [1, 0], b: [1, 2, 3], sp: { indices: [4], values: [1] } });
  const res = await client.query('nv', { query: [1, 2, 3.5], using: 'b', limit: 1 });
  assert.equal(res.points[0]!.id, 1);
  await client.deleteVectorName('nv', 'b', { wait: true });
  const info = await client.getCollection('nv');
  assert.deepEqual(Object.keys(info.config.params.vectors as object), ['a']);
  await assert.rejects(client.query('nv', { query: [1, 2, 3], using: 'b' }), rejectsWith(400, 'Wrong input: Not existing vector name error: b'));
});

test('payload indexes: create each type, payload_schema with point counts, delete', async () => {
  await client.createCollection('idx', { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert('idx', {
    wait: true,
    points: [
      { id: 1, vector: [1, 0], payload: { k: 'a', i: 1, f: 1.5, b: true, g: { lon: 1, lat: 2 }, t: 'hello world', d: '2024-01-01T00:00:00Z', u: '550e8400-e29b-41d4-a716-446655440000' } },
      { id: 2, vector: [0, 1], payload: { k: 'b', i: 2 } },
    ],
  });
  const types = { k: 'keyword', i: 'integer', f: 'float', b: 'bool', g: 'geo', t: 'text', d: 'datetime', u: 'uuid' } as const;
  for (const [field, type] of Object.entries(types)) {
    const r = await client.createPayloadIndex('idx', { field_name: field, field_schema: type, wait: true });
    assert.equal(r.status, 'completed');
  }
  await client.createPayloadIndex('idx', { field_name: 'tt', field_schema: { type: 'text', tokenizer: 'word', lowercase: true, min_token_len: 2 }, wait: true });
  const schema = (await client.getCollection('idx')).payload_schema;
  for (const [field, type] of Object.entries(types)) assert.equal(schema[field]?.data_type, type, field);
  assert.equal(schema.k!.points, 2);
  assert.equal(schema.f!.points, 1);
  assert.equal((schema.tt!.params as { tokenizer?: string }).tokenizer, 'word');
  await client.deletePayloadIndex('idx', 'k', { wait: true });
  assert.equal((await client.getCollection('idx')).payload_schema.k, undefined);
  const bad = await raw('PUT', `${server.url}/collections/idx/index`, { field_name: 'x', field_schema: 'vector' });
  assert.equal(bad.status, 400);
  assert.match(errorText(bad) ?? '', /^Format error in JSON body: /);
});

test('aliases: create, use for reads and writes, rename, delete; conflicts', async () => {
  await client.createCollection('real', { vectors: { size: 2, distance: 'Dot' } });
  await client.createCollection('second', { vectors: { size: 2, distance: 'Dot' } });
  assert.equal(await client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: 'real', alias_name: 'current' } }] }), true);
  assert.deepEqual(await client.getAliases(), { aliases: [{ alias_name: 'current', collection_name: 'real' }] });
  assert.deepEqual(await client.getCollectionAliases('real'), { aliases: [{ alias_name: 'current', collection_name: 'real' }] });
  await client.upsert('current', { wait: true, points: [{ id: 7, vector: [1, 1] }] });
  assert.equal((await client.count('real')).count, 1);
  assert.equal((await client.query('current', { query: [1, 1] })).points[0]!.id, 7);
  assert.deepEqual(await client.collectionExists('current'), { exists: true });

  // Switch the alias atomically, then rename it.
  await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: 'current' } }, { create_alias: { collection_name: 'second', alias_name: 'current' } }] });
  assert.equal((await client.count('current')).count, 0);
  await client.updateCollectionAliases({ actions: [{ rename_alias: { old_alias_name: 'current', new_alias_name: 'live' } }] });
  assert.deepEqual(await client.getAliases(), { aliases: [{ alias_name: 'live', collection_name: 'second' }] });
  await assert.rejects(client.getCollection('current'), rejectsWith(404, "Not found: Collection `current` doesn't exist!"));

  // Conflicts: alias named like a collection (409), collection named like an alias (400),
  // alias to a missing collection (404), rename of a missing alias (404); a failing batch changes nothing.
  await assert.rejects(client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: 'real', alias_name: 'second' } }] }), rejectsWith(409));
  await assert.rejects(client.createCollection('live', { vectors: { size: 2, distance: 'Dot' } }), rejectsWith(400, /Alias with the same name already exists/));
  await assert.rejects(client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: 'ghost', alias_name: 'x' } }] }), rejectsWith(404, "Not found: Collection `ghost` doesn't exist!"));
  await assert.rejects(
    client.updateCollectionAliases({ actions: [{ create_alias: { collection_name: 'real', alias_name: 'a1' } }, { rename_alias: { old_alias_name: 'missing', new_alias_name: 'y' } }] }),
    rejectsWith(404, 'Not found: Alias missing does not exists!'),
  );
  assert.deepEqual(await client.getAliases(), { aliases: [{ alias_name: 'live', collection_name: 'second' }] });
  // Deleting a collection drops its aliases.
  await client.deleteCollection('second');
  assert.deepEqual(await client.getAliases(), { aliases: [] });
});

test('aliases survive a restart', async () => {
  const { Engine, buildVectorApp } = await import('../../../src/vector/main.js');
  const { silentLogger } = await import('../../../src/core/log.js');
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-alias-'));
  try {
    let engine = Engine.open(dir);
    engine.create('c1', { vectors: { kind: 'single', spec: { size: 2, distance: 'Dot', extra: {} } }, options: { params: {}, hnsw_config: {}, optimizer_config: {}, wal_config: {}, quantization_config: null, strict_mode_config: {} } });
    engine.updateAliases([{ type: 'create', alias: 'a1', collection: 'c1' }]);
    engine.close();
    engine = Engine.open(dir);
    const app = buildVectorApp(engine, { logger: silentLogger() });
    const res = await app.inject({ method: 'GET', url: '/aliases' });
    assert.deepEqual(res.json().result, { aliases: [{ alias_name: 'a1', collection_name: 'c1' }] });
    await app.close();
    engine.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('optimizations, collection cluster info, shard keys of a single-node collection', async () => {
  await client.createCollection('opt', { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert('opt', { wait: true, points: [{ id: 1, vector: [1, 0] }] });
  const opt = await client.getOptimizations('opt', { with: 'queued,completed' });
  assert.deepEqual(opt.running, []);
  assert.deepEqual(opt.queued, []);
  assert.equal(opt.summary.queued_optimizations, 0);
  const cluster = await client.collectionClusterInfo('opt');
  assert.equal(cluster.shard_count, 1);
  assert.deepEqual(cluster.local_shards, [{ shard_id: 0, points_count: 1, state: 'Active' }]);
  assert.deepEqual(await client.listShardKeys('opt'), { shard_keys: null });
  await assert.rejects(client.createShardKey('opt', { shard_key: 'k' }), rejectsWith(400));
});

test('service: /cluster disabled, telemetry, issues', async () => {
  const cluster = await raw('GET', `${server.url}/cluster`);
  assert.deepEqual((cluster.json as { result: unknown }).result, { status: 'disabled' });
  assert.equal((await raw('POST', `${server.url}/cluster/recover`)).status, 400);
  const telemetry = (await raw('GET', `${server.url}/telemetry?details_level=2`)).json as { result: { app: { version: string }; collections: { number_of_collections: number; collections: Array<{ id: string; points_count: number }> }; cluster: { enabled: boolean }; requests: { rest: { responses: Record<string, Record<string, { count: number }>> } } } };
  assert.equal(telemetry.result.app.version, '1.19.0');
  assert.equal(telemetry.result.cluster.enabled, false);
  assert.equal(telemetry.result.collections.number_of_collections, (await client.getCollections()).collections.length);
  assert.ok(telemetry.result.collections.collections.some((c) => c.id === 'opt' && c.points_count === 1));
  assert.ok((telemetry.result.requests.rest.responses['GET /collections/{name}']?.['200']?.count ?? 0) > 0);
  const anonymous = (await raw('GET', `${server.url}/telemetry?details_level=1&anonymize=true`)).json as { result: { collections: { collections: Array<{ id: string }> } } };
  assert.ok(anonymous.result.collections.collections.every((c) => c.id.startsWith('collection_')));
  assert.deepEqual(((await raw('GET', `${server.url}/issues`)).json as { result: unknown }).result, { issues: [] });
  assert.equal(((await raw('DELETE', `${server.url}/issues`)).json as { result: unknown }).result, true);
});

test('quotas: config and usage; an unsatisfiable disk limit refuses writes but not deletes; validation', async () => {
  const initial = await client.getQuotas();
  assert.equal(initial.config.enabled, false);
  assert.equal(typeof initial.usage.disk_usage_percent, 'number');
  assert.equal(typeof initial.usage.resident_memory_percent, 'number');
  await client.createCollection('quota', { vectors: { size: 2, distance: 'Dot' } });
  await client.upsert('quota', { wait: true, points: [{ id: 1, vector: [1, 1] }] });
  assert.equal(await client.updateQuotas({ enabled: true, max_disk_usage_percent: 1 }), true);
  assert.deepEqual((await client.getQuotas()).config, { enabled: true, max_disk_usage_percent: 1 });
  await assert.rejects(client.upsert('quota', { wait: true, points: [{ id: 2, vector: [1, 1] }] }), rejectsWith(403, /^Forbidden: Disk usage is at \d+% of total capacity, exceeding the configured limit of 1%\. .*`max_disk_usage_percent` in the global quota config\.$/));
  await assert.rejects(client.setPayload('quota', { wait: true, points: [1], payload: { a: 1 } }), rejectsWith(403));
  assert.equal((await client.delete('quota', { wait: true, points: [1] })).status, 'completed', 'deletes free space and stay allowed');
  await client.updateQuotas({ enabled: false });
  assert.equal((await client.upsert('quota', { wait: true, points: [{ id: 2, vector: [1, 1] }] })).status, 'completed');
  const bad = await raw('PUT', `${server.url}/quotas`, { enabled: true, max_disk_usage_percent: 0 });
  assert.equal(bad.status, 422);
  assert.equal(errorText(bad), 'Validation error in JSON body: [max_disk_usage_percent: value 0 invalid, must be from 1 to 100]');
});
