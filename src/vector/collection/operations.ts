import type { Filter } from '../segment/filter.js';
import type { JsonObject, JsonPath } from '../segment/json-path.js';
import type { PointId } from '../segment/point-id.js';

/** Which points an operation touches. */
export type PointsSelection = { kind: 'ids'; ids: PointId[] } | { kind: 'filter'; filter: Filter };

export interface PointWrite {
  id: PointId;
  /** Raw vectors by name (`''` = default vector); validated and preprocessed when applied. */
  vectors: Map<string, Float32Array>;
  payload: JsonObject;
}

/** Update operations of a collection (engine form; the API converts wire requests into these). */
export type Operation =
  | { type: 'upsert'; points: PointWrite[] }
  | { type: 'delete'; selection: PointsSelection }
  | { type: 'set_payload'; selection: PointsSelection; payload: JsonObject; key?: JsonPath }
  | { type: 'overwrite_payload'; selection: PointsSelection; payload: JsonObject; key?: JsonPath }
  | { type: 'delete_payload'; selection: PointsSelection; keys: JsonPath[] }
  | { type: 'clear_payload'; selection: PointsSelection };

export interface UpdateResult {
  operationId: number;
}
