import { DEFAULT_VECTOR } from '../../collection/config.js';
import type { Operation, PointsSelection, PointWrite, UpdateMode } from '../../collection/operations.js';
import { BadRequestError, ValidationError } from '../../errors.js';
import type { Filter } from '../../segment/filter.js';
import type { PointId } from '../../segment/point-id.js';
import type { VectorValue } from '../../segment/vector-value.js';
import type { FilterWire } from '../schemas/filter.js';
import type { DeleteVectorsWire, PointsSelectorWire, UpdateVectorsWire, UpsertWire, VectorStructWire } from '../schemas/points.js';
import type { VectorValueWire } from '../schemas/vectors.js';
import { toFilter } from './filter.js';
import { rejectShardKey } from './query.js';
import { toVectorValue } from './vectors.js';

export { recordWire, scoredPointWire, toVectorSelector, vectorWire } from './output.js';

const INFERENCE = 'Inference is not supported by Phoenix: documents, images and objects must be sent as vectors';

/** Upsert body (points list or batch) → upsert operation, with conditional `update_filter` / `update_mode`. */
export function toUpsert(wire: UpsertWire, field = ''): Operation {
  rejectShardKey(wire.shard_key);
  const prefix = field === '' ? '' : `${field}.`;
  let points: PointWrite[];
  if ('batch' in wire) {
    const { ids, vectors, payloads } = wire.batch;
    const problems: Array<{ field: string; message: string }> = [];
    const named = !Array.isArray(vectors);
    const columns: Array<[string, VectorValueWire[]]> = named ? Object.entries(vectors) : [[DEFAULT_VECTOR, vectors]];
    for (const [name, column] of columns) {
      if (column.length !== ids.length) problems.push({ field: named ? `${prefix}batch.vectors.${name}` : `${prefix}batch.vectors`, message: `number of vectors (${column.length}) must be equal to number of ids (${ids.length})` });
    }
    if (payloads && payloads.length !== ids.length) problems.push({ field: `${prefix}batch.payloads`, message: `number of payloads (${payloads.length}) must be equal to number of ids (${ids.length})` });
    if (problems.length > 0) throw new ValidationError(problems);
    points = ids.map((id, i) => ({
      id,
      vectors: new Map(columns.map(([name, column]) => [name, toVectorValue(column[i]!, named ? `${prefix}batch.vectors.${name}[${i}]` : `${prefix}batch.vectors[${i}]`)])),
      payload: payloads?.[i] ?? {},
    }));
  } else {
    points = wire.points.map((p, i) => ({ id: p.id, vectors: toVectorStruct(p.vector, `${prefix}points[${i}].vector`), payload: p.payload ?? {} }));
  }
  const op: Operation = { type: 'upsert', points };
  if (wire.update_filter) op.updateFilter = toFilter(wire.update_filter, `${prefix}update_filter`);
  if (wire.update_mode) op.updateMode = wire.update_mode as UpdateMode;
  return op;
}

/** A point's `vector`: one unnamed vector (dense or multi) or named vectors of any kind. */
export function toVectorStruct(wire: VectorStructWire, field: string): Map<string, VectorValue> {
  if (Array.isArray(wire)) return new Map([[DEFAULT_VECTOR, toVectorValue(wire, field)]]);
  if ('inference' in wire) throw new BadRequestError(INFERENCE, 'VECTOR_INFERENCE');
  const out = new Map<string, VectorValue>();
  for (const [name, v] of Object.entries(wire)) {
    if (!Array.isArray(v) && 'inference' in v) throw new BadRequestError(INFERENCE, 'VECTOR_INFERENCE');
    out.set(name, toVectorValue(v as VectorValueWire, `${field}.?`));
  }
  return out;
}

export function toUpdateVectors(wire: UpdateVectorsWire, field = ''): Operation {
  rejectShardKey(wire.shard_key);
  const prefix = field === '' ? '' : `${field}.`;
  if (wire.points.length === 0) throw new ValidationError([{ field: `${prefix}points`, message: 'must contain at least 1 item' }]);
  const op: Operation = { type: 'update_vectors', points: wire.points.map((p, i) => ({ id: p.id, vectors: toVectorStruct(p.vector, `${prefix}points[${i}].vector`) })) };
  if (wire.update_filter) op.updateFilter = toFilter(wire.update_filter, `${prefix}update_filter`);
  return op;
}

export function toDeleteVectors(wire: DeleteVectorsWire, field = ''): Operation {
  rejectShardKey(wire.shard_key);
  const prefix = field === '' ? '' : `${field}.`;
  if (wire.vector.length === 0) throw new ValidationError([{ field: `${prefix}vector`, message: 'must contain at least 1 item' }]);
  if (new Set(wire.vector).size !== wire.vector.length) throw new ValidationError([{ field: `${prefix}vector`, message: 'must contain unique items' }]);
  return { type: 'delete_vectors', selection: toSelectionOf(wire.points, wire.filter), names: wire.vector };
}

export function toSelection(wire: PointsSelectorWire): PointsSelection {
  rejectShardKey(wire.shard_key);
  return 'points' in wire ? { kind: 'ids', ids: wire.points } : { kind: 'filter', filter: toFilter(wire.filter) };
}

/** `points` or `filter` of payload and vector requests; one of them is required. */
export function toSelectionOf(points: PointId[] | null | undefined, filter: FilterWire | null | undefined): PointsSelection {
  if (points) return { kind: 'ids', ids: points };
  if (filter) return { kind: 'filter', filter: toFilter(filter) as Filter };
  throw new ValidationError([{ field: 'points', message: 'either list of point ids or filter must be provided' }]);
}
