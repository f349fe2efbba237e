/**
 * Load through the gateway with the official Qdrant client, as its own process (NODE_EXTRA_CA_CERTS
 * trusts Phoenix's root, as the README tells users). Writers upsert batches with `wait=true` (and,
 * with PAYLOADS=1, set payloads by filter); readers search and retrieve points whose write
 * completed — each must be found. Runs until STOP_FILE exists (or WRITES per writer are done),
 * then writes a JSON summary to OUT_FILE.
 * Env: GATEWAY_URL, PHOENIX_API_KEY, COLLECTION, WRITERS, READERS, ID_BASE, STOP_FILE, OUT_FILE,
 * WRITES (optional), PAYLOADS (optional), DIM.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { QdrantClient } from '@qdrant/js-client-rest';

const env = (k: string, d?: string) => process.env[k] ?? d ?? '';
const client = new QdrantClient({ url: env('GATEWAY_URL'), apiKey: env('PHOENIX_API_KEY'), checkCompatibility: false });
const collection = env('COLLECTION', 'load');
const writers = Number(env('WRITERS', '2'));
const readers = Number(env('READERS', '2'));
const base = Number(env('ID_BASE', '1'));
const writes = Number(env('WRITES', '0'));
const payloads = env('PAYLOADS') === '1';
const dim = Number(env('DIM', '8'));
const stopFile = env('STOP_FILE');
const started = Date.now();

const completed: number[] = [];
/** When each completed batch was answered (ms after the start). */
const completedAt: number[] = [];
const writeErrors: Array<{ at: number; ids: number[]; error: string }> = [];
const readErrors: Array<{ at: number; error: string }> = [];
const missing: Array<{ at: number; id: number }> = [];
let reads = 0;
let payloadWrites = 0;
const stopped = () => (stopFile !== '' && existsSync(stopFile));

function vector(id: number): number[] {
  return Array.from({ length: dim }, (_, k) => Math.sin(id * 13 + k * 7) + 1.1);
}

async function writer(w: number): Promise<void> {
  for (let i = 0; (writes === 0 || i < writes) && !stopped(); i++) {
    const ids = Array.from({ length: 5 }, (_, k) => base + w * 1_000_000 + i * 5 + k);
    try {
      const r = await client.upsert(collection, { wait: true, points: ids.map((id) => ({ id, vector: vector(id), payload: { writer: w, i, group: id % 7 } })) });
      if (r.status !== 'completed') throw new Error(`status ${r.status}`);
      completed.push(...ids);
      completedAt.push(Date.now() - started);
      if (payloads) {
        await client.setPayload(collection, { wait: true, payload: { touchedBy: w, at: i }, filter: { must: [{ key: 'group', match: { value: (w + i) % 7 } }] } });
        payloadWrites++;
      }
    } catch (err) {
      writeErrors.push({ at: Date.now() - started, ids, error: describe(err) });
    }
  }
}

async function reader(): Promise<void> {
  while (!stopped() && !(writes > 0 && done)) {
    try {
      await client.query(collection, { query: vector(Math.floor(Math.random() * 1000)), limit: 5 });
      reads++;
      if (completed.length > 0) {
        const id = completed[Math.floor(Math.random() * completed.length)] as number;
        const got = await client.retrieve(collection, { ids: [id] });
        reads++;
        if (got.length !== 1) missing.push({ at: Date.now() - started, id });
      }
    } catch (err) {
      readErrors.push({ at: Date.now() - started, error: describe(err) });
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

function describe(err: unknown): string {
  const e = err as { status?: number; message?: string; data?: unknown };
  return `${e.status ?? ''} ${e.message ?? String(err)} ${e.data ? JSON.stringify(e.data).slice(0, 300) : ''}`.trim();
}

let done = false;
const readLoops = Array.from({ length: readers }, () => reader());
await Promise.all(Array.from({ length: writers }, (_, w) => writer(w)));
done = true;
await Promise.all(readLoops);
writeFileSync(env('OUT_FILE'), JSON.stringify({ completed, completedAt, writeErrors, readErrors, missing, reads, payloadWrites, ms: Date.now() - started }));
