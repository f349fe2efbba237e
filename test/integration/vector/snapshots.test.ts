/**
 * Snapshots: a collection snapshot taken, listed, downloaded and deleted; recovered from
 * `file://` (inside the snapshots directory only), from `http://`, and from a multipart upload —
 * replacing a collection's changed contents or creating a new collection — with checksums
 * checked; invalid archives refused without touching the live collection; full snapshots.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { errorText, raw, startPlainVector, type PlainVector } from './harness.js';

let server: PlainVector;
let client: QdrantClient;
let files: Server;
const served = new Map<string, Buffer>();

before(async () => {
  server = await startPlainVector();
  client = new QdrantClient({ url: server.url, checkCompatibility: false });
  await client.createCollection('snap', { vectors: { size: 2, distance: 'Dot' }, sparse_vectors: { s: {} } });
  await client.upsert('snap', { wait: true, points: Array.from({ length: 25 }, (_, i) => ({ id: i + 1, vector: { '': [i, 1], s: { indices: [i], values: [1] } }, payload: { i } })) });
  await client.createPayloadIndex('snap', { field_name: 'i', field_schema: 'integer', wait: true });
  files = createServer((req, res) => {
    const body = served.get(req.url ?? '');
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/snap' }).end();
      return;
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  await new Promise((resolve) => files?.close(resolve));
  await server?.close();
});

async function download(path: string): Promise<Buffer> {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /octet-stream/);
  return Buffer.from(await res.arrayBuffer());
}

async function state(collection: string): Promise<unknown> {
  const points = (await client.scroll(collection, { limit: 100, with_payload: true, with_vector: true })).points;
  const info = await client.getCollection(collection);
  return { points, schema: info.payload_schema, config: info.config.params };
}

test('create, list, download, recover from file:// and http://, upload, delete', async () => {
  const original = await state('snap');
  const desc = await client.createSnapshot('snap', { wait: true });
  assert.ok(desc);
  assert.match(desc.name, /^snap-\d+-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}(-\d+)?\.snapshot$/);
  assert.match(desc.checksum ?? '', /^[0-9a-f]{64}$/);
  assert.ok(desc.size > 0);
  const listed = await client.listSnapshots('snap');
  assert.deepEqual(
    listed.map((s) => s.name),
    [desc.name],
  );
  const archive = await download(`/collections/snap/snapshots/${desc.name}`);
  assert.equal(archive.length, desc.size);

  // Change the collection, then recover it from the snapshot file.
  await client.delete('snap', { wait: true, points: [1, 2, 3] });
  await client.setPayload('snap', { wait: true, points: [4], payload: { changed: true } });
  const location = `file://${join(server.dataDir, 'snapshots', 'snap', desc.name)}`;
  assert.equal(await client.recoverSnapshot('snap', { location, checksum: desc.checksum! }), true);
  assert.deepEqual(await state('snap'), original);

  // Recover into a new collection from http:// (through a redirect).
  served.set('/snap', archive);
  assert.equal(await client.recoverSnapshot('copy', { location: `http://127.0.0.1:${(files.address() as AddressInfo).port}/redirect` }), true);
  assert.deepEqual(await state('copy'), original);

  // Upload (multipart) into another new collection.
  const form = new FormData();
  form.append('snapshot', new Blob([archive]), 'snap.snapshot');
  const up = await fetch(`${server.url}/collections/uploaded/snapshots/upload?wait=true&checksum=${desc.checksum}`, { method: 'POST', body: form });
  assert.equal(up.status, 200, await up.clone().text());
  assert.equal(((await up.json()) as { result: unknown }).result, true);
  assert.deepEqual(await state('uploaded'), original);
  assert.equal((await client.query('uploaded', { query: [1, 1], limit: 1 })).points.length, 1, 'the recovered index answers searches');

  assert.equal(await client.deleteSnapshot('snap', desc.name), true);
  assert.deepEqual(await client.listSnapshots('snap'), []);
  const gone = await raw('GET', `${server.url}/collections/snap/snapshots/${desc.name}`);
  assert.equal(gone.status, 404);
});

test('shard 0 forms answer like the collection forms', async () => {
  const created = (await raw('POST', `${server.url}/collections/snap/shards/0/snapshots`)).json as { result: { name: string } };
  const listed = (await raw('GET', `${server.url}/collections/snap/shards/0/snapshots`)).json as { result: Array<{ name: string }> };
  assert.ok(listed.result.some((s) => s.name === created.result.name));
  const stream = await fetch(`${server.url}/collections/snap/shards/0/snapshot`);
  assert.equal(stream.status, 200);
  assert.ok((await stream.arrayBuffer()).byteLength > 0);
  assert.equal((await raw('GET', `${server.url}/collections/snap/shards/1/snapshots`)).status, 404);
});

test('refusals: checksum mismatch, file outside the snapshots directory, not an archive, bad scheme — the collection stays as it was', async () => {
  const before = await state('snap');
  const desc = (await client.createSnapshot('snap', { wait: true }))!;
  const location = `file://${join(server.dataDir, 'snapshots', 'snap', desc.name)}`;
  const cases: Array<{ body: unknown; message: RegExp }> = [
    { body: { location, checksum: '0'.repeat(64) }, message: /^Wrong input: Snapshot checksum mismatch: expected 0{64}, got [0-9a-f]{64}$/ },
    { body: { location: 'file:///etc/passwd' }, message: /^Wrong input: Snapshot file must be inside the snapshots directory/ },
    { body: { location: 'ftp://example.com/x.snapshot' }, message: /^Wrong input: Unsupported snapshot location scheme/ },
    { body: { location: 'not a url' }, message: /^Wrong input: Invalid snapshot location/ },
    { body: { location: `http://127.0.0.1:${(files.address() as AddressInfo).port}/missing` }, message: /^Bad request: Failed to download snapshot/ },
  ];
  for (const c of cases) {
    const r = await raw('PUT', `${server.url}/collections/snap/snapshots/recover`, c.body);
    assert.equal(r.status, 400, r.text);
    assert.match(errorText(r) ?? '', c.message);
  }
  const form = new FormData();
  form.append('snapshot', new Blob([Buffer.from('this is not a tar archive at all')]), 'x.snapshot');
  const up = await fetch(`${server.url}/collections/snap/snapshots/upload`, { method: 'POST', body: form });
  assert.equal(up.status, 400);
  assert.deepEqual(await state('snap'), before);
  const missing = await raw('POST', `${server.url}/collections/nope/snapshots`);
  assert.equal(missing.status, 404);
});

test('full snapshots: create, list, download, delete', async () => {
  const full = (await client.createFullSnapshot({ wait: true }))!;
  assert.match(full.name, /^full-snapshot-\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}(-\d+)?\.snapshot$/);
  assert.ok((await client.listFullSnapshots()).some((s) => s.name === full.name));
  const archive = await download(`/snapshots/${full.name}`);
  assert.equal(archive.length, full.size);
  // A tar archive holding one collection snapshot per collection.
  const text = archive.toString('latin1');
  for (const name of ['snap', 'copy', 'uploaded']) assert.ok(text.includes(`collections/${name}.snapshot`), name);
  assert.equal(await client.deleteFullSnapshot(full.name), true);
  assert.equal((await raw('GET', `${server.url}/snapshots/${full.name}`)).status, 404);
  assert.equal((await raw('DELETE', `${server.url}/snapshots/..%2Fetc`)).status, 400);
});
