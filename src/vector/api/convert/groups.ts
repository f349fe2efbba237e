import type { PointGroup, GroupRequest } from '../../query/groups.js';
import type { QueryTarget } from '../../query/target.js';
import { ValidationError } from '../../errors.js';
import type { JsonObject } from '../../segment/json-path.js';
import type { WithPayloadWire, WithVectorWire } from '../schemas/common.js';
import type { WithLookupWire } from '../schemas/query.js';
import { toPath } from './filter.js';
import { payloadOutput, recordWire, scoredPointWire, toOutput } from './output.js';
import { positiveLimit } from './query.js';

/** Group requests (query/search/recommend groups) and their answer `{groups: [{id, hits, lookup?}]}`. */
export interface GroupOutput {
  request: GroupRequest;
  selectHit: (p: JsonObject) => JsonObject;
  selectLookup: (p: JsonObject) => JsonObject;
  lookupTarget?: string;
}

export function toGroupRequest(
  groupBy: string,
  groupSize: number,
  limit: number,
  withPayload: WithPayloadWire | null | undefined,
  withVector: WithVectorWire | null | undefined,
  withLookup: WithLookupWire | null | undefined,
): GroupOutput {
  if (groupBy === '') throw new ValidationError([{ field: 'group_by', message: 'value "" invalid, must not be empty' }]);
  const hits = toOutput(withPayload, withVector, false);
  const request: GroupRequest = { groupBy: toPath(groupBy), groupSize: positiveLimit(groupSize, 'group_size'), limit, read: hits.read };
  let selectLookup = (p: JsonObject) => p;
  if (withLookup !== null && withLookup !== undefined) {
    const lookup = typeof withLookup === 'string' ? { collection: withLookup } : withLookup;
    const out = typeof withLookup === 'string' ? toOutput(true, false, true) : toOutput(withLookup.with_payload ?? true, withLookup.with_vectors ?? withLookup.with_vector ?? false, true);
    request.withLookup = { collection: lookup.collection, read: out.read };
    selectLookup = typeof withLookup === 'string' ? selectLookup : payloadOutput(withLookup.with_payload).selectPayload;
  }
  return { request, selectHit: hits.selectPayload, selectLookup };
}

export function groupsWire(groups: PointGroup[], target: QueryTarget, output: GroupOutput): { groups: unknown[] } {
  const hitPayload = output.request.read.withPayload.kind !== 'none';
  return {
    groups: groups.map((g) => {
      const out: Record<string, unknown> = {
        id: g.id,
        hits: g.hits.map((h) => {
          const { payload, ...rest } = h;
          return scoredPointWire(hitPayload && payload ? { ...rest, payload } : rest, target.isSingleVector, output.selectHit);
        }),
      };
      if (g.lookup !== undefined) out.lookup = g.lookup === null ? null : recordWire(g.lookup, true, output.selectLookup);
      return out;
    }),
  };
}
