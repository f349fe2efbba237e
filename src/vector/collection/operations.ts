import type { Filter } from '../segment/filter.js';
import type { JsonObject, JsonPath } from '../segment/json-path.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { ConfigPatch, SparseVectorSpec, VectorSpec } from './config.js';

/**
 * Update operations of a collection (engine form; the API converts wire requests into these).
 * Every operation is one numbered record of the collection's operation log (WAL): it is appended
 * durably, then applied in order. Replaying the log from a checkpoint reproduces the state, and a
 * replica that applies the same records in the same order holds the same points (issue 6).
 */
export type Operation =
  | { type: 'upsert'; points: PointWrite[]; updateFilter?: Filter; updateMode?: UpdateMode }
  | { type: 'delete'; selection: PointsSelection }
  | { type: 'set_payload'; selection: PointsSelection; payload: JsonObject; key?: JsonPath }
  | { type: 'overwrite_payload'; selection: PointsSelection; payload: JsonObject; key?: JsonPath }
  | { type: 'delete_payload'; selection: PointsSelection; keys: JsonPath[] }
  | { type: 'clear_payload'; selection: PointsSelection }
  /** Replaces the named vectors given (others stay); 404 when a listed point is missing. */
  | { type: 'update_vectors'; points: VectorsWrite[]; updateFilter?: Filter }
  | { type: 'delete_vectors'; selection: PointsSelection; names: string[] }
  | { type: 'create_payload_index'; field: string; schema: PayloadFieldSchema }
  | { type: 'delete_payload_index'; field: string }
  | { type: 'create_vector'; name: string; params: NewVectorParams }
  | { type: 'delete_vector'; name: string }
  /** `PATCH /collections/{name}`. */
  | { type: 'update_config'; patch: ConfigPatch };

/** Which points an operation touches. */
export type PointsSelection = { kind: 'ids'; ids: PointId[] } | { kind: 'filter'; filter: Filter };

/** `update_mode` of an upsert (Qdrant 1.19): default `upsert`. */
export type UpdateMode = 'upsert' | 'insert_only' | 'update_only';

export interface PointWrite {
  id: PointId;
  /** Raw vectors by name (`''` = default vector); validated and preprocessed when applied. */
  vectors: Map<string, VectorValue>;
  payload: JsonObject;
}

export interface VectorsWrite {
  id: PointId;
  vectors: Map<string, VectorValue>;
}

/** `PUT /collections/{name}/vectors/{vector}`: a new dense (or multi) or sparse vector name. */
export type NewVectorParams = { kind: 'dense'; spec: VectorSpec } | { kind: 'sparse'; spec: SparseVectorSpec };

/** Payload index types, as Qdrant names them. */
export type PayloadSchemaType = 'keyword' | 'integer' | 'float' | 'geo' | 'text' | 'bool' | 'datetime' | 'uuid';

/**
 * A payload index definition: its type and the params given (echoed in `payload_schema`; text
 * indexes read `tokenizer`, `lowercase`, `min_token_len`, `max_token_len`).
 */
export interface PayloadFieldSchema {
  type: PayloadSchemaType;
  params?: Record<string, unknown>;
}

export type UpdateStatus = 'acknowledged' | 'completed';

export interface UpdateResult {
  operationId: number;
  status: UpdateStatus;
}

export interface UpdateOptions {
  /** Answer after apply (`completed`) instead of after the durable append (`acknowledged`). */
  wait?: boolean;
}
