/**
 * The engine under test, in its own process (so its resident memory is its own): a vector replica
 * as `startVector` builds it — the engine on a data directory, the Qdrant API over HTTPS with
 * client certificates required (identities from an in-process test CA; the parent gets a router
 * identity to connect with) — plus IPC commands to run searches in-process, report memory, close.
 */
import type { AddressInfo } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import { TestCa, TEST_TRUST_DOMAIN } from '../test/fixtures/test-ca.js';
import { silentLogger } from '../src/core/log.js';
import { guardTlsServer, IdentityPolicy, serverTlsOptions } from '../src/core/tls/index.js';
import { buildVectorApp, Engine } from '../src/vector/main.js';
import { parseBody } from '../src/vector/api/body.js';
import { filterSchema } from '../src/vector/api/schemas/filter.js';
import { toFilter } from '../src/vector/api/convert/filter.js';
import { dense } from '../src/vector/segment/vector-value.js';
import { configureSearchThreads, searchThreads } from '../src/vector/index/search-threads.js';

export type EngineCommand =
  | { cmd: 'search'; id: number; collection: string; queries: number[][]; ef?: number; exact?: boolean; below?: number }
  | { cmd: 'memory'; id: number }
  | { cmd: 'searchThreads'; id: number; settings: Partial<typeof searchThreads> }
  | { cmd: 'settle'; id: number; collection: string }
  | { cmd: 'info'; id: number; collection: string }
  | { cmd: 'close'; id: number };

export interface SearchAnswer {
  ids: number[][];
  latenciesMs: number[];
  totalMs: number;
}

const dataDir = process.argv[2]!;
const ca = await TestCa.create();
const identity = await ca.identity('vector', 'bench');
const router = await ca.identity('router', 'bench-client');
if (process.env.BENCH_REPLICA_THREADS) configureSearchThreads({ replicas: Number(process.env.BENCH_REPLICA_THREADS) });
const opened = performance.now();
const engine = Engine.open(dataDir);
const openMs = performance.now() - opened;
const logger = silentLogger();
const app = buildVectorApp(engine, { logger, https: serverTlsOptions(identity, 'required') });
const unguard = guardTlsServer(app.server as unknown as TlsServer, { identity, policy: IdentityPolicy.roles(TEST_TRUST_DOMAIN, 'router', 'vector'), logger });
await app.listen({ host: '127.0.0.1', port: 0 });
process.send!({
  type: 'ready',
  port: (app.server.address() as AddressInfo).port,
  openMs,
  tls: { key: router.current.keyPem, cert: router.current.chainPem, ca: router.rootPem },
});

const none = { withPayload: { kind: 'none' }, withVector: { kind: 'none' } } as const;

function search(c: Extract<EngineCommand, { cmd: 'search' }>): SearchAnswer {
  const collection = engine.get(c.collection);
  const filter = c.below === undefined ? undefined : toFilter(parseBody(filterSchema, { must: [{ key: 'bucket', range: { lt: c.below } }] }));
  const params = { ...(c.ef !== undefined ? { hnswEf: c.ef } : {}), ...(c.exact ? { exact: true } : {}) };
  const queries = c.queries.map((q) => dense(Float32Array.from(q)));
  const ids: number[][] = [];
  const latenciesMs: number[] = [];
  const started = performance.now();
  for (const vector of queries) {
    const t = performance.now();
    const hits = collection.search({ using: '', vector, limit: 10, params, ...(filter ? { filter } : {}), ...none });
    latenciesMs.push(performance.now() - t);
    ids.push(hits.map((h) => h.id as number));
  }
  return { ids, latenciesMs, totalMs: performance.now() - started };
}

process.on('message', (m: EngineCommand) => {
  switch (m.cmd) {
    case 'search':
      process.send!({ id: m.id, result: search(m) });
      break;
    case 'settle':
      void engine
        .get(m.collection)
        .flush()
        .then(() => process.send!({ id: m.id, result: true }));
      break;
    case 'searchThreads':
      configureSearchThreads(m.settings);
      process.send!({ id: m.id, result: { ...searchThreads, replicated: engine.names().map((n) => engine.get(n).searchReplicaStats()) } });
      break;
    case 'memory':
      process.send!({ id: m.id, result: process.memoryUsage() });
      break;
    case 'info': {
      const info = engine.get(m.collection).info();
      process.send!({ id: m.id, result: { status: info.status, points: info.pointsCount, indexed: info.indexedVectorsCount } });
      break;
    }
    case 'close':
      void (async () => {
        unguard();
        await app.close();
        engine.close();
        process.send!({ id: m.id, result: true }, () => process.exit(0));
      })();
      break;
  }
});
process.once('disconnect', () => process.exit(0));
