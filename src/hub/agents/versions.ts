/**
 * Whether an agent's version may work with the hub's: with `minor`, major and minor must be equal
 * (0.x releases change the agent protocol between minors); with `major`, the majors.
 */
export type VersionCheck = 'minor' | 'major' | 'off';

function parts(v: string): [number, number] | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export function compatibleVersions(agent: string, hub: string, check: VersionCheck): boolean {
  if (check === 'off') return true;
  const a = parts(agent);
  const h = parts(hub);
  if (!a || !h) return agent === hub;
  return check === 'major' ? a[0] === h[0] : a[0] === h[0] && a[1] === h[1];
}
