import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** A process and its children (nginx's master and worker), by pid. */
function withChildren(pid: number): number[] {
  try {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return [pid, ...(kids ? kids.split(/\s+/).map(Number).flatMap(withChildren) : [])];
  } catch {
    return [pid];
  }
}

/** CPU seconds (user + system) used so far by the processes and their children. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids.flatMap(withChildren)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      /* gone */
    }
  }
  return ticks / TICKS_PER_SECOND;
}
