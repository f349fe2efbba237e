import type { PointRecord } from '../collection/records.js';
import type { ReadOptions } from '../collection/requests.js';
import { getValues, type JsonPath } from '../segment/json-path.js';
import { parsePointId, type PointId } from '../segment/point-id.js';
import { attachRecords, type QueryExecutor } from './executor.js';
import type { QueryPlan } from './model.js';
import type { QueryTarget, TargetResolver } from './target.js';

/**
 * Query groups (`/points/query/groups`, `/search/groups`, `/recommend/groups`): the plan's hits,
 * best first, grouped by the values of a payload key (strings and integers; every element of an
 * array value is a group of its own, so a point can be in several groups). Groups come in the
 * order of their best hit; each keeps at most `groupSize` hits. The plan is run with a growing
 * limit until the first `limit` groups are full or the hits run out.
 */
export type GroupId = string | number;

export interface PointGroup {
  id: GroupId;
  hits: PointRecord[];
  lookup?: PointRecord | null;
}

export interface GroupRequest {
  groupBy: JsonPath;
  groupSize: number;
  limit: number;
  /** Selectors of the hits (payload is read in full for grouping; the API selects what it returns). */
  read: ReadOptions;
  withLookup?: { collection: string; read: ReadOptions };
}

export function queryGroups(executor: QueryExecutor, target: QueryTarget, plan: QueryPlan, request: GroupRequest, targets: TargetResolver): PointGroup[] {
  const notEmpty = { type: 'is_empty' as const, key: request.groupBy };
  const filter = { ...(plan.filter ?? {}), mustNot: [...(plan.filter?.mustNot ?? []), notEmpty] };
  const total = target.count();
  let take = Math.max(request.limit * request.groupSize * 2, 64);
  for (;;) {
    const hits = executor.run(target, { ...plan, filter, limit: take, offset: 0 });
    const records = attachRecords(target, hits, { withPayload: { kind: 'all' }, withVector: request.read.withVector });
    const groups = group(records, request);
    const done = hits.length < take || take >= total || (groups.length >= request.limit && groups.slice(0, request.limit).every((g) => g.hits.length >= request.groupSize));
    if (done) {
      const out = groups.slice(0, request.limit);
      if (request.withLookup) addLookups(out, targets(request.withLookup.collection), request.withLookup.read);
      return out;
    }
    take = Math.min(take * 4, Math.max(total, 1));
  }
}

function group(records: PointRecord[], request: GroupRequest): PointGroup[] {
  const groups = new Map<string, PointGroup>();
  for (const r of records) {
    const values = new Map<string, GroupId>();
    for (const v of getValues(r.payload ?? {}, request.groupBy)) {
      for (const x of Array.isArray(v) ? v : [v]) {
        if (typeof x === 'string') values.set(`s:${x}`, x);
        else if (typeof x === 'number' && Number.isInteger(x)) values.set(`n:${x}`, x);
      }
    }
    for (const [key, id] of values) {
      let g = groups.get(key);
      if (!g) {
        g = { id, hits: [] };
        groups.set(key, g);
      }
      if (g.hits.length < request.groupSize) g.hits.push(r);
    }
  }
  return [...groups.values()];
}

/** Each group's lookup: the point of the lookup collection whose id is the group id (null when none). */
function addLookups(groups: PointGroup[], lookup: QueryTarget, read: ReadOptions): void {
  const ids: PointId[] = [];
  for (const g of groups) {
    const parsed = parsePointId(g.id);
    if (parsed.ok) ids.push(parsed.id);
  }
  const found = new Map(lookup.retrieve(ids, read).map((r) => [String(r.id), r]));
  for (const g of groups) {
    const parsed = parsePointId(g.id);
    g.lookup = parsed.ok ? (found.get(String(parsed.id)) ?? null) : null;
  }
}
