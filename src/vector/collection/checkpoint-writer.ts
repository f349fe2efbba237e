import { Worker } from 'node:worker_threads';
import type { CheckpointReply, CheckpointRequest } from './checkpoint-worker.js';
import type { CheckpointBatch } from './point-store.js';

/**
 * The engine's side of the checkpoint writer thread (started on first use, shared by all
 * collections; it keeps the process alive only while a write is pending). `write` resolves once the batch is committed
 * (true) or was overtaken by a later checkpoint (false).
 */
class CheckpointWriter {
  private worker: Worker | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve: (written: boolean) => void; reject: (err: Error) => void }>();

  write(file: string, batch: CheckpointBatch): Promise<boolean> {
    const worker = this.start();
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref(); // a pending write keeps the process alive until it is answered
      this.send(worker, { type: 'write', id, file, batch }, [batch.vectors.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer, batch.slots.buffer as ArrayBuffer, batch.versions.buffer as ArrayBuffer]);
    });
  }

  /** Lets the thread close its connection to a store (the collection closed or was dropped). */
  release(file: string): void {
    if (this.worker) this.send(this.worker, { type: 'release', file }, []);
  }

  private send(worker: Worker, m: CheckpointRequest, transfer: ArrayBuffer[]): void {
    worker.postMessage(m, transfer);
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url));
    worker.on('message', (m: CheckpointReply) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if ('error' in m) p?.reject(new Error(m.error));
      else p?.resolve(m.written);
    });
    const fail = (err: Error) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.worker = undefined;
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`checkpoint writer exited (${code})`)));
    worker.unref(); // after the listeners (adding one refs the port again): idle, it never keeps the process alive
    this.worker = worker;
    return worker;
  }
}

export const checkpointWriter = new CheckpointWriter();
