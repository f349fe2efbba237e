import { rmSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import hnswlib from 'hnswlib-node';

/**
 * A search replica's thread: one hnswlib graph, loaded from a saved copy of the primary and kept
 * in step by the primary's mutations, in the order they happened (messages on one port arrive in
 * order, so a search sees every mutation posted before it). It only answers searches: labels, best
 * first. See graph-replica.ts.
 */
export type ReplicaMutation = { op: 'add'; label: number; vector: Float32Array } | { op: 'remove'; label: number } | { op: 'resize'; capacity: number };

export type ReplicaRequest =
  | { type: 'open'; space: 'ip' | 'l2'; dim: number; file: string }
  | { type: 'mutate'; ops: ReplicaMutation[] }
  | { type: 'search'; id: number; query: Float32Array; k: number; ef: number };

export type ReplicaReply = { type: 'found'; id: number; labels: number[] } | { type: 'failed'; error: string };

let index: hnswlib.HierarchicalNSW | undefined;
let scratch: number[] = [];
let ef = -1;
let broken = false;

function copy(v: Float32Array): number[] {
  for (let i = 0; i < v.length; i++) scratch[i] = v[i]!;
  return scratch;
}

function handle(m: ReplicaRequest): void {
  switch (m.type) {
    case 'open': {
      try {
        const graph = new hnswlib.HierarchicalNSW(m.space, m.dim);
        graph.readIndexSync(m.file);
        index = graph;
        scratch = new Array<number>(m.dim).fill(0);
      } finally {
        rmSync(m.file, { force: true }); // the primary's private link to the saved graph
      }
      return;
    }
    case 'mutate':
      for (const o of m.ops) {
        if (o.op === 'add') index!.addPoint(copy(o.vector), o.label);
        else if (o.op === 'remove') index!.markDelete(o.label);
        else index!.resizeIndex(o.capacity);
      }
      return;
    case 'search': {
      if (m.ef !== ef) {
        index!.setEf(m.ef);
        ef = m.ef;
      }
      const found = index!.searchKnn(copy(m.query), Math.min(m.k, index!.getMaxElements()));
      parentPort!.postMessage({ type: 'found', id: m.id, labels: found.neighbors } satisfies ReplicaReply);
      return;
    }
  }
}

parentPort!.on('message', (m: ReplicaRequest) => {
  if (broken) return;
  try {
    handle(m);
  } catch (err) {
    // A replica that missed a mutation or cannot search is of no use: the primary drops it.
    broken = true;
    parentPort!.postMessage({ type: 'failed', error: err instanceof Error ? err.message : String(err) } satisfies ReplicaReply);
  }
});
