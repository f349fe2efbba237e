import type { Operation } from '../../collection/operations.js';
import { FormatError } from '../../errors.js';
import { parseBody } from '../body.js';
import { deletePayloadSchema, setPayloadSchema, type DeletePayloadWire, type SetPayloadWire } from '../schemas/payload.js';
import { deleteVectorsSchema, pointsSelectorSchemaFor, updateVectorsSchema, upsertSchemaFor } from '../schemas/points.js';
import { toPath } from './filter.js';
import { toDeleteVectors, toSelection, toSelectionOf, toUpdateVectors, toUpsert } from './points.js';
import { rejectShardKey } from './query.js';

/** Payload request bodies → operations (`key` targets a nested object for set/overwrite). */
export function toPayloadOperation(type: 'set_payload' | 'overwrite_payload', wire: SetPayloadWire): Operation;
export function toPayloadOperation(type: 'delete_payload', wire: DeletePayloadWire): Operation;
export function toPayloadOperation(type: 'set_payload' | 'overwrite_payload' | 'delete_payload', wire: SetPayloadWire | DeletePayloadWire): Operation {
  rejectShardKey(wire.shard_key);
  const selection = toSelectionOf(wire.points, wire.filter);
  if (type === 'delete_payload') return { type, selection, keys: (wire as DeletePayloadWire).keys.map(toPath) };
  const set = wire as SetPayloadWire;
  return { type, selection, payload: set.payload, ...(set.key ? { key: toPath(set.key) } : {}) };
}

const KINDS = ['upsert', 'delete', 'set_payload', 'overwrite_payload', 'delete_payload', 'clear_payload', 'update_vectors', 'delete_vectors'] as const;

/** `POST /points/batch` operations, each checked and converted before any is applied. */
export function toBatchOperations(body: unknown): Operation[] {
  if (body === undefined) throw new FormatError('EOF while parsing a value at line 1 column 0');
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new FormatError(`invalid type: ${Array.isArray(body) ? 'a sequence' : typeof body}, expected struct UpdateOperations`);
  const ops = (body as { operations?: unknown }).operations;
  if (ops === undefined) throw new FormatError('missing field `operations`');
  if (!Array.isArray(ops)) throw new FormatError('invalid type: expected a sequence at `operations`');
  return ops.map((raw, i) => {
    const kind = typeof raw === 'object' && raw !== null ? KINDS.find((k) => k in raw) : undefined;
    if (!kind) throw new FormatError(`data did not match any variant of untagged enum UpdateOperation at \`operations[${i}]\``);
    const inner = (raw as Record<string, unknown>)[kind];
    switch (kind) {
      case 'upsert':
        return toUpsert(parseBody(upsertSchemaFor(inner), inner), `operations[${i}].upsert`);
      case 'delete':
        return { type: 'delete', selection: toSelection(parseBody(pointsSelectorSchemaFor(inner), inner)) };
      case 'set_payload':
      case 'overwrite_payload':
        return toPayloadOperation(kind, parseBody(setPayloadSchema, inner));
      case 'delete_payload':
        return toPayloadOperation('delete_payload', parseBody(deletePayloadSchema, inner));
      case 'clear_payload':
        return { type: 'clear_payload', selection: toSelection(parseBody(pointsSelectorSchemaFor(inner), inner)) };
      case 'update_vectors':
        return toUpdateVectors(parseBody(updateVectorsSchema, inner), `operations[${i}].update_vectors`);
      case 'delete_vectors':
        return toDeleteVectors(parseBody(deleteVectorsSchema, inner), `operations[${i}].delete_vectors`);
    }
  });
}
