import type { CollectionConfig } from '../collection/config.js';
import type { Operation, UpdateStatus } from '../collection/operations.js';
import { decodeOperation, encodeOperation } from '../collection/wal-codec.js';
import type { AliasAction } from '../engine/aliases.js';

/**
 * What the API's write routes submit (engine form, after validation of the wire body), and the
 * records of the replication log that carry them.
 *
 * A record is `{seq, epoch, entry}`. Entries are written so that replaying a suffix of the log in
 * order onto a state that already holds part of it yields the same state:
 * - `op` carries the collection's incarnation (`inc`, the seq of the record that created it) and
 *   the collection operation number the write got on the leader (`cop`); a replica applies it only
 *   when its copy of that collection is exactly one operation behind, skips it when it is already
 *   past it, and resyncs from a snapshot otherwise.
 * - `create` and `restore` start an incarnation (their own seq); `delete` ends the ones before it.
 * - `aliases` are absolute (set this alias to that collection / remove it), never renames.
 */
export type Mutation =
  | { type: 'create_collection'; name: string; config: CollectionConfig }
  | { type: 'delete_collection'; name: string }
  | { type: 'aliases'; actions: AliasAction[] }
  | { type: 'operation'; collection: string; op: Operation }
  /** Snapshot recovery: the archive is read from `file` (checked against `checksum` when given). */
  | { type: 'restore_collection'; name: string; file: string; checksum?: string };

export interface SubmitOptions {
  /** Answer `completed` once applied everywhere required, instead of `acknowledged` after the append. */
  wait: boolean;
}

export interface SubmitResult {
  operationId: number;
  status: UpdateStatus;
  /** `DELETE /collections/{name}`: whether the collection existed. */
  existed?: boolean;
}

export type Entry =
  | { kind: 'create'; name: string; config: CollectionConfig }
  | { kind: 'delete'; name: string }
  | { kind: 'aliases'; actions: AliasAction[] }
  | { kind: 'op'; collection: string; inc: number; cop: number; op: Operation }
  | { kind: 'restore'; name: string; archive: Buffer };

export interface LogRecord {
  seq: number;
  epoch: number;
  entry: Entry;
}

/** True for the entries that change the set of collections or aliases (applied one at a time). */
export function isMeta(entry: Entry): boolean {
  return entry.kind !== 'op';
}

interface Header {
  e: number;
  k: Entry['kind'];
  n?: string;
  i?: number;
  o?: number;
  c?: CollectionConfig;
  a?: AliasAction[];
}

/** Record body: `[u32 header length][header JSON][payload]`; the payload is the encoded operation or the snapshot archive. */
export function encodeEntry(epoch: number, entry: Entry): Buffer {
  let header: Header;
  let payload: Buffer | undefined;
  switch (entry.kind) {
    case 'create':
      header = { e: epoch, k: 'create', n: entry.name, c: entry.config };
      break;
    case 'delete':
      header = { e: epoch, k: 'delete', n: entry.name };
      break;
    case 'aliases':
      header = { e: epoch, k: 'aliases', a: entry.actions };
      break;
    case 'op':
      header = { e: epoch, k: 'op', n: entry.collection, i: entry.inc, o: entry.cop };
      payload = encodeOperation(entry.op);
      break;
    case 'restore':
      header = { e: epoch, k: 'restore', n: entry.name };
      payload = entry.archive;
      break;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const out = Buffer.allocUnsafe(4 + json.length + (payload?.length ?? 0));
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  payload?.copy(out, 4 + json.length);
  return out;
}

/** The epoch of an encoded record, without decoding the rest. */
export function epochOfBody(body: Buffer): number {
  const length = body.readUInt32LE(0);
  return (JSON.parse(body.toString('utf8', 4, 4 + length)) as Header).e;
}

export function decodeRecord(seq: number, body: Buffer): LogRecord {
  const length = body.readUInt32LE(0);
  const h = JSON.parse(body.toString('utf8', 4, 4 + length)) as Header;
  const payload = body.subarray(4 + length);
  const name = h.n ?? '';
  let entry: Entry;
  switch (h.k) {
    case 'create':
      entry = { kind: 'create', name, config: h.c as CollectionConfig };
      break;
    case 'delete':
      entry = { kind: 'delete', name };
      break;
    case 'aliases':
      entry = { kind: 'aliases', actions: h.a ?? [] };
      break;
    case 'op':
      entry = { kind: 'op', collection: name, inc: h.i ?? 0, cop: h.o ?? 0, op: decodeOperation(Buffer.from(payload)) };
      break;
    case 'restore':
      entry = { kind: 'restore', name, archive: Buffer.from(payload) };
      break;
    default:
      throw new Error(`record ${seq}: unknown entry kind ${String(h.k)}`);
  }
  return { seq, epoch: h.e, entry };
}
