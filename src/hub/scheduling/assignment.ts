import type { InstanceSpec } from '../stacks/instances.js';
import type { Assignment } from '../store/instances.js';

/** An agent as the scheduler sees it. */
export interface Candidate {
  name: string;
  /** Synced recently (within the missed-sync allowance). */
  healthy: boolean;
  /** Milliseconds since its last sync. */
  silentForMs: number;
}

export interface AssignmentInput {
  desired: readonly InstanceSpec[];
  agents: readonly Candidate[];
  current: readonly Assignment[];
  now: number;
  /** An instance leaves its agent only after the agent has been silent this long and another is healthy. */
  reassignAfterMs: number;
}

/**
 * Decides which agent runs each desired instance. Assignments are sticky (an embedded replica's
 * data lives on its host): an instance keeps its agent while that agent is known, and moves only
 * when the agent has been silent for `reassignAfterMs` and a healthy agent exists. New instances go
 * to the healthy agent with the fewest instances (ties by name). Instances no longer desired drop out;
 * with no healthy agent, new instances stay unassigned.
 */
export function assignInstances(input: AssignmentInput): Assignment[] {
  const agents = new Map(input.agents.map((a) => [a.name, a]));
  const healthy = input.agents.filter((a) => a.healthy).map((a) => a.name);
  const current = new Map(input.current.map((a) => [a.instanceId, a]));
  const load = new Map<string, number>(healthy.map((n) => [n, 0]));
  const result = new Map<string, Assignment>();

  // First keep what may stay, so load counts reflect sticky placements before new ones are placed.
  for (const spec of input.desired) {
    const prev = current.get(spec.id);
    const agent = prev && agents.get(prev.agent);
    if (!prev || !agent) continue;
    const abandoned = !agent.healthy && agent.silentForMs >= input.reassignAfterMs && healthy.length > 0;
    if (abandoned) continue;
    result.set(spec.id, { ...prev, stack: spec.stack, service: spec.service });
    if (load.has(agent.name)) load.set(agent.name, (load.get(agent.name) ?? 0) + 1);
  }
  for (const spec of input.desired) {
    if (result.has(spec.id)) continue;
    const target = leastLoaded(load);
    if (target === undefined) continue;
    load.set(target, (load.get(target) ?? 0) + 1);
    result.set(spec.id, { instanceId: spec.id, stack: spec.stack, service: spec.service, agent: target, assignedAt: input.now });
  }
  return input.desired.flatMap((spec) => result.get(spec.id) ?? []);
}

function leastLoaded(load: Map<string, number>): string | undefined {
  let best: string | undefined;
  for (const [name, n] of load) {
    const bestLoad = best === undefined ? Infinity : (load.get(best) ?? 0);
    if (n < bestLoad || (n === bestLoad && best !== undefined && name < best)) best = name;
  }
  return best;
}
