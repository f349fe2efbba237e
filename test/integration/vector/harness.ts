/**
 * Helpers for the vector integration tests: the engine's API on plain HTTP (the official Qdrant
 * client cannot present a client certificate; the mTLS listener is tested on its own), a seeded
 * random generator, and raw JSON requests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { buildVectorApp, Engine } from '../../../src/vector/main.js';
import { silentLogger } from '../../../src/core/log.js';
import { readBody } from '../../helpers/json-body.js';

export interface PlainVector {
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startPlainVector(): Promise<PlainVector> {
  const dataDir = mkdtempSync(join(tmpdir(), 'phoenix-vector-it-'));
  const engine = Engine.open(dataDir);
  const app = buildVectorApp(engine, { logger: silentLogger() });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    close: async () => {
      await app.close();
      engine.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** mulberry32: deterministic test data, so a failure reproduces. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: unknown;
}

/** A raw request; `body` as a string is sent verbatim, anything else as JSON. */
export async function raw(method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<RawResponse> {
  const hasBody = body !== undefined;
  const res = await request(url, {
    method: method as 'GET',
    headers: hasBody ? { 'content-type': 'application/json', ...headers } : headers,
    ...(hasBody ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const { text, json } = await readBody(res);
  return { status: res.statusCode, headers: res.headers, text, json };
}

/** The `status.error` text of a Qdrant error envelope. */
export function errorText(r: RawResponse): string | undefined {
  return (r.json as { status?: { error?: string } } | undefined)?.status?.error;
}
