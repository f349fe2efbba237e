import { Worker } from 'node:worker_threads';
import type { ReplicaMutation, ReplicaReply, ReplicaRequest } from './graph-replica-worker.js';

/**
 * A copy of one HNSW graph on its own thread, so searches run beside the event loop instead of
 * blocking it: hnswlib-node searches synchronously, and one engine process would otherwise search
 * on one core. The copy starts from a saved generation of the graph (the primary is unchanged
 * while it saves, so the file is exactly its state) and receives every later mutation in order.
 *
 * A search posted here sees every mutation posted before it; whether the primary changed while
 * the search ran is the caller's check (`HnswGraph.searchOnReplica`). A replica that fails is
 * dropped (`alive` turns false) and searches go back to the event loop.
 */
export class GraphReplica {
  private readonly worker: Worker;
  private mutations: ReplicaMutation[] = [];
  private flushScheduled = false;
  private nextId = 0;
  private readonly waiting = new Map<number, (labels: number[] | undefined) => void>();
  private dead = false;

  constructor(space: 'ip' | 'l2', dim: number, file: string) {
    this.worker = new Worker(new URL('./graph-replica-worker.js', import.meta.url));
    this.worker.on('message', (m: ReplicaReply) => {
      if (m.type === 'failed') return this.fail();
      const done = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      done?.(m.labels);
    });
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
    this.worker.unref(); // after the listeners: it never keeps the process alive
    this.post({ type: 'open', space, dim, file });
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Searches posted and not yet answered. */
  get inFlight(): number {
    return this.waiting.size;
  }

  add(label: number, vector: Float32Array): void {
    this.queue({ op: 'add', label, vector: vector.slice() });
  }

  remove(label: number): void {
    this.queue({ op: 'remove', label });
  }

  resize(capacity: number): void {
    this.queue({ op: 'resize', capacity });
  }

  /** Labels of the `k` nearest (best first), or undefined when the replica failed. */
  search(query: Float32Array, k: number, ef: number): Promise<number[] | undefined> {
    if (this.dead) return Promise.resolve(undefined);
    this.flush();
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      const whole = query.byteOffset === 0 && query.byteLength === query.buffer.byteLength;
      this.post({ type: 'search', id, query: whole ? query : query.slice(), k, ef }); // a view would clone its whole buffer
    });
  }

  close(): void {
    this.fail();
    void this.worker.terminate();
  }

  private queue(m: ReplicaMutation): void {
    if (this.dead) return;
    this.mutations.push(m);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Mutations go out in batches (one message per event-loop turn), always before a search. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.mutations.length === 0 || this.dead) return;
    const ops = this.mutations;
    this.mutations = [];
    this.post({ type: 'mutate', ops });
  }

  private post(m: ReplicaRequest): void {
    this.worker.postMessage(m);
  }

  private fail(): void {
    if (this.dead) return;
    this.dead = true;
    this.mutations = [];
    for (const done of this.waiting.values()) done(undefined);
    this.waiting.clear();
  }
}
