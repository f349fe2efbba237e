import type { ReplicaReport } from './report.js';

export interface ElectionInput {
  /** Members that may lead (running, not retiring), by slot order. */
  eligible: readonly string[];
  /** Every member of the set (retiring ones excluded). */
  members: readonly string[];
  /** Reports of replicas that stopped following for this election (`candidate` at the election's epoch). */
  fenced: ReadonlyMap<string, ReplicaReport>;
  /** The log the set's data follows (its last leader's), if known. */
  logId: string | null;
  previousLeader: string | null;
  /** The election has waited its time: a majority of fenced members is enough. */
  timedOut: boolean;
}

/**
 * Picks the new leader, or undefined to keep waiting. The rule that loses no `completed` write: a
 * write completes only once every in-sync replica and a majority of the voters applied it, so any
 * majority of members holds it; among fenced members (they stopped fetching, their positions no
 * longer move) the one with the most of the set's log — highest (epoch of its last record,
 * position) — holds every completed write. The election therefore needs a majority of the members
 * fenced, and waits for every running member until its time is up. A replica that restarted as the previous leader is passed
 * over when every other member is fenced and one of them is as far (its extra records were never
 * completed); a dirty replica (writes its log lacks) leads only when nobody else can.
 */
export function chooseLeader(input: ElectionInput): string | undefined {
  const reported = input.members.filter((id) => input.fenced.has(id));
  const majority = Math.floor(input.members.length / 2) + 1;
  const everyone = input.eligible.every((id) => input.fenced.has(id));
  if (reported.length < majority || (!everyone && !input.timedOut)) return undefined;
  const pool = input.eligible.filter((id) => input.fenced.has(id));
  if (pool.length === 0) return undefined;
  const clean = pool.filter((id) => !input.fenced.get(id)!.dirty);
  const ranked = (clean.length > 0 ? clean : pool).slice().sort((a, b) => compare(input.fenced.get(b)!, input.fenced.get(a)!, input.logId) || input.eligible.indexOf(a) - input.eligible.indexOf(b));
  const best = ranked[0]!;
  if (best === input.previousLeader && everyone) {
    const others = ranked.filter((id) => id !== best && sameLog(input.fenced.get(id)!, input.logId));
    if (others.length > 0) return others[0];
  }
  return best;
}

function sameLog(r: ReplicaReport, logId: string | null): boolean {
  return r.logId !== '' && (logId === null || r.logId === logId);
}

/** Positive when `a` holds more of the set's log than `b`. */
function compare(a: ReplicaReport, b: ReplicaReport, logId: string | null): number {
  const la = sameLog(a, logId) ? 1 : 0;
  const lb = sameLog(b, logId) ? 1 : 0;
  if (la !== lb) return la - lb;
  if (a.lastEpoch !== b.lastEpoch) return a.lastEpoch - b.lastEpoch;
  return a.position - b.position;
}
