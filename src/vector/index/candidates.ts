/**
 * The points a search, count or scroll may consider, as planned from a filter: a membership mask
 * by slot and/or a list of slots (from payload indexes), plus a per-slot check for the part of the
 * filter the indexes could not answer. No mask and no list means every live point.
 */
export interface Candidates {
  /** Number of candidates; an upper bound when `check` is set. */
  estimate: number;
  /** Membership by slot (1 = candidate). */
  mask?: Uint8Array;
  /** The candidate slots, when known. */
  slots?: ArrayLike<number>;
  /** What a candidate must also satisfy. */
  check?: (slot: number) => boolean;
}

/** Calls `each` for every candidate slot that is live and passes the check. */
export function forEachCandidate(candidates: Candidates | undefined, live: () => Iterable<number>, isLive: (slot: number) => boolean, each: (slot: number) => void): void {
  const check = candidates?.check;
  if (candidates?.slots) {
    const slots = candidates.slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      if (isLive(slot) && (!check || check(slot))) each(slot);
    }
  } else if (candidates?.mask) {
    const mask = candidates.mask;
    for (let slot = 0; slot < mask.length; slot++) {
      if (mask[slot] === 1 && isLive(slot) && (!check || check(slot))) each(slot);
    }
  } else {
    for (const slot of live()) if (!check || check(slot)) each(slot);
  }
}

/** Whether a slot is a candidate (mask and check; liveness is the caller's). */
export function isCandidate(candidates: Candidates | undefined, slot: number): boolean {
  if (!candidates) return true;
  if (candidates.mask && candidates.mask[slot] !== 1) return false;
  if (!candidates.mask && candidates.slots) {
    // A list without a mask: callers that test membership should build a mask first.
    throw new Error('candidate list without a mask');
  }
  return !candidates.check || candidates.check(slot);
}
