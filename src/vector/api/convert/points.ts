import { DEFAULT_VECTOR } from '../../collection/config.js';
import type { Operation, PointsSelection, PointWrite } from '../../collection/operations.js';
import type { PayloadSelector, PointRecord, VectorSelector } from '../../collection/records.js';
import { BadRequestError, ValidationError } from '../../errors.js';
import type { JsonObject } from '../../segment/json-path.js';
import { dense, type VectorValue } from '../../segment/vector-value.js';
import type { PointId } from '../../segment/point-id.js';
import type { FilterWire } from '../schemas/filter.js';
import type { WithPayloadWire, WithVectorWire } from '../schemas/common.js';
import type { PointsSelectorWire, UpsertWire } from '../schemas/points.js';
import { f32, f32Array } from './f32.js';
import { toFilter, toPath } from './filter.js';

/** Upsert body (points list or batch) → upsert operation. */
export function toUpsert(wire: UpsertWire): Operation {
  if (wire.update_filter) throw new BadRequestError('update_filter is not supported by Phoenix yet', 'VECTOR_UNSUPPORTED');
  if (wire.update_mode && wire.update_mode !== 'upsert') throw new BadRequestError(`update_mode \`${wire.update_mode}\` is not supported by Phoenix yet`, 'VECTOR_UNSUPPORTED');
  if ('batch' in wire) {
    const { ids, vectors, payloads } = wire.batch;
    const problems: Array<{ field: string; message: string }> = [];
    const named = !Array.isArray(vectors);
    const columns: Array<[string, number[][]]> = named ? Object.entries(vectors) : [[DEFAULT_VECTOR, vectors]];
    for (const [name, column] of columns) {
      if (column.length !== ids.length) problems.push({ field: named ? `batch.vectors.${name}` : 'batch.vectors', message: `number of vectors (${column.length}) must be equal to number of ids (${ids.length})` });
    }
    if (payloads && payloads.length !== ids.length) problems.push({ field: 'batch.payloads', message: `number of payloads (${payloads.length}) must be equal to number of ids (${ids.length})` });
    if (problems.length > 0) throw new ValidationError(problems);
    const points: PointWrite[] = ids.map((id, i) => ({
      id,
      vectors: new Map(columns.map(([name, column]) => [name, dense(Float32Array.from(column[i]!))])),
      payload: payloads?.[i] ?? {},
    }));
    return { type: 'upsert', points };
  }
  return {
    type: 'upsert',
    points: wire.points.map((p) => ({
      id: p.id,
      vectors: Array.isArray(p.vector) ? new Map([[DEFAULT_VECTOR, dense(Float32Array.from(p.vector))]]) : new Map(Object.entries(p.vector).map(([n, v]) => [n, dense(Float32Array.from(v))])),
      payload: p.payload ?? {},
    })),
  };
}

export function toSelection(wire: PointsSelectorWire): PointsSelection {
  return 'points' in wire ? { kind: 'ids', ids: wire.points } : { kind: 'filter', filter: toFilter(wire.filter) };
}

/** `points` or `filter` of payload requests; one of them is required. */
export function toSelectionOf(points: PointId[] | null | undefined, filter: FilterWire | null | undefined): PointsSelection {
  if (points) return { kind: 'ids', ids: points };
  if (filter) return { kind: 'filter', filter: toFilter(filter) };
  throw new ValidationError([{ field: 'points', message: 'either list of point ids or filter must be provided' }]);
}

export function toPayloadSelector(wire: WithPayloadWire | null | undefined, fallback: boolean): PayloadSelector {
  if (wire === null || wire === undefined) return { kind: fallback ? 'all' : 'none' };
  if (typeof wire === 'boolean') return { kind: wire ? 'all' : 'none' };
  if (Array.isArray(wire)) return { kind: 'include', paths: wire.map(toPath) };
  if ('include' in wire) return { kind: 'include', paths: wire.include.map(toPath) };
  return { kind: 'exclude', paths: wire.exclude.map(toPath) };
}

export function toVectorSelector(wire: WithVectorWire | null | undefined, fallback: boolean): VectorSelector {
  if (wire === null || wire === undefined) return { kind: fallback ? 'all' : 'none' };
  if (typeof wire === 'boolean') return { kind: wire ? 'all' : 'none' };
  return { kind: 'names', names: new Set(wire) };
}

/** Qdrant's Record (`id`, then `payload` and `vector` when asked for). */
export function recordWire(r: PointRecord, singleVector: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id };
  addBody(out, r, singleVector);
  return out;
}

/** Qdrant's ScoredPoint (`id`, `version`, `score`, then `payload` and `vector` when asked for). */
export function scoredPointWire(r: PointRecord, singleVector: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { id: r.id, version: r.version, score: f32(r.score ?? 0) };
  addBody(out, r, singleVector);
  return out;
}

function addBody(out: Record<string, unknown>, r: PointRecord, singleVector: boolean): void {
  if (r.payload) out.payload = r.payload as JsonObject;
  if (r.vectors) {
    if (singleVector) {
      const v = r.vectors.get(DEFAULT_VECTOR);
      if (v) out.vector = vectorWire(v);
    } else {
      out.vector = Object.fromEntries([...r.vectors].map(([n, v]) => [n, vectorWire(v)]));
    }
  }
}

/** A stored vector as Qdrant writes it: dense list, `{indices, values}`, or list of lists. */
function vectorWire(v: VectorValue): unknown {
  switch (v.kind) {
    case 'dense':
      return f32Array(v.values);
    case 'sparse':
      return { indices: [...v.indices], values: f32Array(v.values) };
    case 'multi':
      return v.vectors.map((x) => f32Array(x));
  }
}
