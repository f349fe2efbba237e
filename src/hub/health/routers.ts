import type { RoleStatus } from './peers.js';

/** Routers, as seen through their discovery polls (kept in memory: they poll again after a restart). */
export class RouterSightings {
  private readonly lastPoll = new Map<string, number>();

  constructor(private readonly staleAfterMs: number) {}

  seen(name: string, now = Date.now()): void {
    this.lastPoll.set(name, now);
  }

  statuses(now = Date.now()): RoleStatus[] {
    return [...this.lastPoll.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, at]) => {
        const silent = now - at;
        const healthy = silent <= this.staleAfterMs;
        return {
          role: 'router',
          name,
          healthy,
          detail: healthy ? 'polling discovery' : `no discovery poll for ${(silent / 1000).toFixed(0)} s`,
          lastSeenAt: at,
        };
      });
  }
}
