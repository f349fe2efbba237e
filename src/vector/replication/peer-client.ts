import { createWriteStream } from 'node:fs';
import { isIP } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { request, type Agent, type Dispatcher } from 'undici';
import { createMtlsAgent, IdentityPolicy, type TlsIdentity } from '../../core/tls/index.js';
import type { StoredRecord } from './log.js';
import { epochOfBody } from './mutation.js';
import type { PeerRef } from './state.js';
import type { FetchHeader, FetchRequest } from './wire.js';

export const FETCH_MEDIA_TYPE = 'application/vnd.phoenix.replication-records';

/** A fetch answer on the wire: `[u32 header length][header JSON]` then frames `[f64 seq][u32 length][body]`. */
export function encodeFetchAnswer(header: FetchHeader, records: readonly StoredRecord[]): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  let size = 4 + json.length;
  for (const r of records) size += 12 + r.body.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  let at = 4 + json.length;
  for (const r of records) {
    out.writeDoubleLE(r.seq, at);
    out.writeUInt32LE(r.body.length, at + 8);
    r.body.copy(out, at + 12);
    at += 12 + r.body.length;
  }
  return out;
}

export function decodeFetchAnswer(bytes: Buffer): { header: FetchHeader; records: StoredRecord[] } {
  const length = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.toString('utf8', 4, 4 + length)) as FetchHeader;
  const records: StoredRecord[] = [];
  let at = 4 + length;
  while (at + 12 <= bytes.length) {
    const seq = bytes.readDoubleLE(at);
    const n = bytes.readUInt32LE(at + 8);
    const body = bytes.subarray(at + 12, at + 12 + n);
    records.push({ seq, epoch: epochOfBody(body), body });
    at += 12 + n;
  }
  return { header, records };
}

/**
 * Calls from this replica to a fellow replica over mTLS: the peer must present exactly the
 * identity the assignment names. Outgoing connections leave from this replica's own address
 * (the host's address in a multi-host deployment), so network rules between hosts apply to them.
 */
export class PeerClient {
  private readonly agents = new Map<string, Agent>();

  constructor(
    private readonly identity: TlsIdentity,
    private readonly localAddress: string | undefined,
  ) {}

  dispatcher(peer: PeerRef): Dispatcher {
    let agent = this.agents.get(peer.identity);
    if (!agent) {
      const bind = this.localAddress && isIP(this.localAddress) !== 0 && this.localAddress !== '0.0.0.0' && this.localAddress !== '::' ? { localAddress: this.localAddress } : {};
      agent = createMtlsAgent(this.identity, { serverPolicy: IdentityPolicy.fromPattern(peer.identity), agent: { connectTimeout: 3000, keepAliveTimeout: 30_000, ...bind } });
      this.agents.set(peer.identity, agent);
    }
    return agent;
  }

  async fetch(peer: PeerRef, body: FetchRequest, signal: AbortSignal): Promise<{ header: FetchHeader; records: StoredRecord[] }> {
    const res = await request(`${peer.url}/phoenix/replication/fetch`, {
      method: 'POST',
      dispatcher: this.dispatcher(peer),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
      headersTimeout: body.waitMs + 5000,
      bodyTimeout: 30_000,
    });
    const bytes = Buffer.from(await res.body.arrayBuffer());
    if (res.statusCode !== 200) throw new Error(`fetch from ${peer.id} answered ${res.statusCode}: ${bytes.toString('utf8', 0, 300)}`);
    return decodeFetchAnswer(bytes);
  }

  /** Downloads the leader's transfer snapshot into `file`. */
  async snapshot(peer: PeerRef, file: string, signal: AbortSignal): Promise<void> {
    const res = await request(`${peer.url}/phoenix/replication/snapshot`, { method: 'GET', dispatcher: this.dispatcher(peer), signal, headersTimeout: 600_000, bodyTimeout: 120_000 });
    if (res.statusCode !== 200) throw new Error(`snapshot from ${peer.id} answered ${res.statusCode}: ${(await res.body.text()).slice(0, 300)}`);
    await pipeline(res.body, createWriteStream(file));
  }

  /** The leader's durable log end (read-your-writes for reads with a `consistency` above 1). */
  async commit(peer: PeerRef, signal: AbortSignal): Promise<{ epoch: number; end: number }> {
    const res = await request(`${peer.url}/phoenix/replication/commit`, { method: 'GET', dispatcher: this.dispatcher(peer), signal, headersTimeout: 5000, bodyTimeout: 5000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`commit from ${peer.id} answered ${res.statusCode}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as { epoch: number; end: number };
  }

  async close(): Promise<void> {
    await Promise.all([...this.agents.values()].map((a) => a.close().catch(() => undefined)));
    this.agents.clear();
  }
}
