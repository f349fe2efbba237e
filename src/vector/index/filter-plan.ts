import type { Condition, Filter } from '../segment/filter.js';
import type { IdTracker } from '../segment/id-tracker.js';
import type { Candidates } from './candidates.js';
import type { PayloadIndexes } from './payload/payload-indexes.js';

/**
 * Turns a filter into candidates, the way Qdrant's planner uses payload indexes: every condition an
 * index (or the id tracker, for `has_id`) can answer becomes a slot mask; masks combine through
 * must (and), should (or) and must_not (and not, when exact). The result is exact when the whole
 * filter was answered; otherwise it is a superset and carries the filter as a per-slot check.
 * With no usable index, the candidate count is estimated by sampling, like Qdrant does.
 */
interface Part {
  mask: Uint8Array;
  exact: boolean;
}

export interface PlanContext {
  ids: IdTracker;
  indexes: PayloadIndexes;
  predicate: (filter: Filter) => (slot: number) => boolean;
}

const SAMPLE = 256;

export function planFilter(filter: Filter, ctx: PlanContext): Candidates {
  const part = filterPart(filter, ctx);
  const check = part?.exact ? undefined : ctx.predicate(filter);
  if (!part) return { estimate: sampleEstimate(ctx, check!), check: check! };
  const mask = part.mask;
  let estimate = 0;
  for (let i = 0; i < mask.length; i++) estimate += mask[i]!;
  const out: Candidates = { estimate, mask };
  // Small sets are also listed, so scans visit only them instead of the whole mask.
  if (estimate <= mask.length >> 4) {
    const slots = new Int32Array(estimate);
    for (let i = 0, k = 0; i < mask.length; i++) if (mask[i] === 1) slots[k++] = i;
    out.slots = slots;
  }
  if (check) out.check = check;
  return out;
}

function filterPart(f: Filter, ctx: PlanContext): Part | undefined {
  const parts: Part[] = [];
  let whole = true;
  if (f.must) {
    for (const c of f.must) {
      const p = conditionPart(c, ctx);
      if (p) parts.push(p);
      if (!p || !p.exact) whole = false;
    }
  }
  if (f.should && f.should.length > 0) {
    const ps = f.should.map((c) => conditionPart(c, ctx));
    if (ps.every((p): p is Part => p !== undefined)) {
      parts.push(union(ps, ctx));
      if (!ps.every((p) => p.exact)) whole = false;
    } else {
      whole = false;
    }
  }
  if (f.mustNot && f.mustNot.length > 0) {
    const ps = f.mustNot.map((c) => conditionPart(c, ctx));
    if (ps.every((p): p is Part => p !== undefined && p.exact)) parts.push(complement(union(ps, ctx), ctx));
    else whole = false;
  }
  if (f.minShould) whole = false;
  if (parts.length === 0) {
    // An empty filter (or only empty clauses) matches everything.
    return whole ? { mask: all(ctx), exact: true } : undefined;
  }
  const out = intersect(parts);
  out.exact = whole;
  return out;
}

function conditionPart(c: Condition, ctx: PlanContext): Part | undefined {
  switch (c.type) {
    case 'field': {
      const sel = ctx.indexes.select(c.key, c);
      if (!sel) return undefined;
      const mask = new Uint8Array(ctx.ids.capacity);
      for (const s of sel.slots) mask[s] = 1;
      return { mask, exact: sel.exact };
    }
    case 'has_id': {
      const mask = new Uint8Array(ctx.ids.capacity);
      for (const key of c.keys) {
        const slot = ctx.ids.slotOfKey(key);
        if (slot !== undefined) mask[slot] = 1;
      }
      return { mask, exact: true };
    }
    case 'filter':
      return filterPart(c.filter, ctx);
    default:
      return undefined;
  }
}

function all(ctx: PlanContext): Uint8Array {
  const mask = new Uint8Array(ctx.ids.capacity);
  for (const s of ctx.ids.liveSlots()) mask[s] = 1;
  return mask;
}

function intersect(parts: Part[]): Part {
  const [first, ...rest] = parts;
  const mask = first!.mask;
  for (const p of rest) for (let i = 0; i < mask.length; i++) mask[i]! &= p.mask[i]!;
  return { mask, exact: parts.every((p) => p.exact) };
}

function union(parts: Part[], ctx: PlanContext): Part {
  const mask = new Uint8Array(ctx.ids.capacity);
  for (const p of parts) for (let i = 0; i < mask.length; i++) mask[i]! |= p.mask[i]!;
  return { mask, exact: parts.every((p) => p.exact) };
}

function complement(p: Part, ctx: PlanContext): Part {
  const mask = all(ctx);
  for (let i = 0; i < mask.length; i++) if (p.mask[i] === 1) mask[i] = 0;
  return { mask, exact: true };
}

/** Expected number of matches: the share of a random sample of live slots that passes. */
function sampleEstimate(ctx: PlanContext, check: (slot: number) => boolean): number {
  const { ids } = ctx;
  if (ids.size <= SAMPLE) {
    let n = 0;
    for (const s of ids.liveSlots()) if (check(s)) n++;
    return n;
  }
  let seen = 0;
  let passed = 0;
  let seed = 0x9e3779b9;
  for (let tries = 0; seen < SAMPLE && tries < SAMPLE * 8; tries++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const slot = seed % ids.capacity;
    if (!ids.isLive(slot)) continue;
    seen++;
    if (check(slot)) passed++;
  }
  return seen === 0 ? ids.size : Math.ceil((passed / seen) * ids.size);
}
