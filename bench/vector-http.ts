/**
 * The benchmark's REST client: HTTPS with a router client certificate to one replica's mTLS
 * listener, keep-alive connections (undici), request bodies serialised before the clock starts.
 */
import { Pool } from 'undici';

export interface ClientTls {
  key: string;
  cert: string;
  ca: string;
}

export interface LoadResult {
  /** Result ids per request body, in body order. */
  ids: number[][];
  latenciesMs: number[];
  totalMs: number;
}

export class BenchClient {
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    tls: ClientTls,
    connections: number,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1, keepAliveTimeout: 60_000, connect: { key: tls.key, cert: tls.cert, ca: tls.ca, rejectUnauthorized: true } });
  }

  async call(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: string | Buffer): Promise<{ status: number; json: unknown }> {
    const res = await this.pool.request({ method, path, ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}) });
    const text = await res.body.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (res.statusCode !== 200) throw new Error(`${method} ${path}: ${res.statusCode} ${text.slice(0, 300)}`);
    return { status: res.statusCode, json };
  }

  /**
   * Sends the bodies in order from `streams` concurrent uploaders (each sends its next body once
   * its last one is answered); returns the wall time until the last answer.
   */
  async upload(method: 'PUT' | 'POST', path: string, bodies: Buffer[], streams: number, each?: (done: number) => void): Promise<number> {
    const started = performance.now();
    let next = 0;
    let done = 0;
    const stream = async () => {
      for (;;) {
        const i = next++;
        if (i >= bodies.length) return;
        await this.call(method, path, bodies[i]);
        each?.(++done);
      }
    };
    await Promise.all(Array.from({ length: streams }, stream));
    return performance.now() - started;
  }

  /** `concurrency` clients, each sending the next unsent query body as soon as its last one is answered. */
  async searchLoad(path: string, bodies: string[], concurrency: number): Promise<LoadResult> {
    const ids: number[][] = new Array(bodies.length);
    const latenciesMs: number[] = new Array(bodies.length);
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= bodies.length) return;
        const t = performance.now();
        const { json } = await this.call('POST', path, bodies[i]);
        latenciesMs[i] = performance.now() - t;
        ids[i] = (json as { result: { points: Array<{ id: number }> } }).result.points.map((p) => p.id);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { ids, latenciesMs, totalMs: performance.now() - started };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
