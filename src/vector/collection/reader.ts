import { BadRequestError } from '../errors.js';
import { forEachCandidate, type Candidates } from '../index/candidates.js';
import { planFilter } from '../index/filter-plan.js';
import type { Filter } from '../segment/filter.js';
import { pointIdKey, type PointId } from '../segment/point-id.js';
import { copyVector, type VectorValue } from '../segment/vector-value.js';
import { selectPayload, type PointRecord } from './records.js';
import type { FacetHit, FacetRequest, ReadOptions, ScrollRequest } from './requests.js';
import type { Shard } from './shard.js';

const PLAN_CACHE = 16;

/**
 * Reads that are not nearest-neighbour searches: records, retrieve, scroll (by id or `order_by`),
 * count, facets — and the filter planning they share with search (cached per filter until the next
 * write, so repeated filtered queries plan once).
 */
export class Reader {
  private readonly plans = new Map<string, { generation: number; candidates: Candidates }>();

  constructor(private readonly shard: Shard) {}

  /** Candidates of a filter (undefined: every point). */
  candidates(filter: Filter | undefined): Candidates | undefined {
    if (!filter) return undefined;
    const key = filterKey(filter);
    const cached = this.plans.get(key);
    if (cached && cached.generation === this.shard.generation) return cached.candidates;
    const { segment, payloadIndexes } = this.shard;
    const candidates = planFilter(filter, { ids: segment.ids, indexes: payloadIndexes, predicate: (f) => segment.predicate(f) });
    this.plans.delete(key);
    this.plans.set(key, { generation: this.shard.generation, candidates });
    if (this.plans.size > PLAN_CACHE) this.plans.delete(this.plans.keys().next().value!);
    return candidates;
  }

  /** Whether a live slot is among the candidates. */
  accepts(candidates: Candidates | undefined, slot: number): boolean {
    if (!candidates) return true;
    if (candidates.mask && candidates.mask[slot] !== 1) return false;
    return !candidates.check || candidates.check(slot);
  }

  forEachCandidate(filter: Filter | undefined, each: (slot: number) => void): void {
    const ids = this.shard.segment.ids;
    forEachCandidate(
      this.candidates(filter),
      () => ids.liveSlots(),
      (slot) => ids.isLive(slot),
      each,
    );
  }

  record(slot: number, options: ReadOptions): PointRecord {
    const { segment } = this.shard;
    const rec: PointRecord = { id: segment.ids.idOf(slot)!, version: segment.versionAt(slot) };
    const payload = selectPayload(segment.payloadAt(slot), options.withPayload);
    if (payload) rec.payload = payload;
    if (options.withVector.kind !== 'none') {
      const vectors = new Map<string, VectorValue>();
      for (const [name, v] of segment.vectorsAt(slot, options.withVector.kind === 'names' ? options.withVector.names : undefined)) vectors.set(name, copyVector(v));
      rec.vectors = vectors;
    }
    return rec;
  }

  vectorCopy(slot: number, using: string): VectorValue | undefined {
    const v = this.shard.segment.columns.get(using)?.value(slot);
    return v ? copyVector(v) : undefined;
  }

  retrieve(ids: PointId[], options: ReadOptions): PointRecord[] {
    const seen = new Set<string>();
    const out: PointRecord[] = [];
    for (const id of ids) {
      const key = pointIdKey(id);
      if (seen.has(key)) continue;
      seen.add(key);
      const slot = this.shard.segment.slotOf(id);
      if (slot !== undefined) out.push(this.record(slot, options));
    }
    return out;
  }

  scroll(request: ScrollRequest): { points: PointRecord[]; nextOffset?: PointId } {
    const candidates = this.candidates(request.filter);
    if (request.orderBy) return { points: this.scrollOrdered(request, candidates) };
    const ids = this.shard.segment.ids;
    const order = ids.orderedSlots();
    const points: PointRecord[] = [];
    for (let i = request.offset === undefined ? 0 : ids.lowerBound(request.offset); i < order.length; i++) {
      const slot = order[i]!;
      if (!this.accepts(candidates, slot)) continue;
      if (points.length === request.limit) return { points, nextOffset: ids.idOf(slot)! };
      points.push(this.record(slot, request));
    }
    return { points };
  }

  /** `order_by`: through the key's range index, one record per (value, point), no next offset. */
  private scrollOrdered(request: ScrollRequest, candidates: Candidates | undefined): PointRecord[] {
    const orderBy = request.orderBy!;
    const index = this.shard.payloadIndexes.rangeIndex(orderBy.key);
    if (!index) {
      throw new BadRequestError(
        `No range index for \`order_by\` key: \`${orderBy.key.text}\`. Please create one to use \`order_by\`. Check https://qdrant.tech/documentation/concepts/indexing/#payload-index to see which payload schemas support Range conditions`,
        'VECTOR_ORDER_BY_INDEX',
      );
    }
    const range = orderBy.startFrom === undefined ? undefined : orderBy.direction === 'asc' ? { datetime: false, gte: orderBy.startFrom } : { datetime: false, lte: orderBy.startFrom };
    const points: PointRecord[] = [];
    index.scan(range, orderBy.direction, (value, slot) => {
      if (!this.accepts(candidates, slot)) return true;
      points.push({ ...this.record(slot, request), orderValue: value });
      return points.length < request.limit;
    });
    return points;
  }

  count(filter?: Filter): number {
    if (!filter) return this.shard.segment.pointCount;
    const candidates = this.candidates(filter)!;
    if (candidates.mask && !candidates.check) return candidates.estimate;
    let n = 0;
    this.forEachCandidate(filter, () => n++);
    return n;
  }

  /** Value counts of a key among the filtered points, most frequent first, then by value. */
  facet(request: FacetRequest): FacetHit[] {
    const index = this.shard.payloadIndexes.facetIndex(request.key);
    if (!index) {
      throw new BadRequestError(`Index required but not found for "${request.key.text}" of one of the following types: [keyword, integer, bool, uuid]. Help: Create an index for this key or use a different filter.`, 'VECTOR_FACET_INDEX');
    }
    const counts = new Map<string | number | boolean, number>();
    if (!request.filter) {
      for (const [value, n] of index.valueCounts()) counts.set(value, n);
    } else {
      this.forEachCandidate(request.filter, (slot) => {
        for (const v of index.facetValues(slot) ?? []) counts.set(v, (counts.get(v) ?? 0) + 1);
      });
    }
    const hits = [...counts].map(([value, count]) => ({ value, count }));
    hits.sort((a, b) => b.count - a.count || compareValues(a.value, b.value));
    return hits.slice(0, request.limit);
  }
}

function compareValues(a: string | number | boolean, b: string | number | boolean): number {
  if (typeof a === typeof b) return a < b ? -1 : a > b ? 1 : 0;
  return typeof a < typeof b ? -1 : 1;
}

/** A cache key for a filter (Sets become sorted arrays). */
function filterKey(filter: Filter): string {
  return JSON.stringify(filter, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<string>)].sort() : v));
}
