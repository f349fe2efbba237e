import { randomBytes } from 'node:crypto';

/** A command for an agent, fetched by the agent's long poll (the hub never connects to agents). */
export type AgentCommand = { id: string; type: 'tail'; session: string; instance: string; lines: number; follow: boolean };

/**
 * Commands waiting for each agent. Agents hold one long-poll request open (`POST
 * /api/agent/commands`); a command sent while it waits is answered at once, otherwise it is queued
 * for the next poll. Nothing here opens a connection to a host.
 */
export class AgentChannel {
  private readonly queues = new Map<string, AgentCommand[]>();
  private readonly waiters = new Map<string, () => void>();
  private readonly lastPoll = new Map<string, number>();

  send(agent: string, command: Omit<AgentCommand, 'id'>): AgentCommand {
    const full = { ...command, id: randomBytes(6).toString('hex') } as AgentCommand;
    const queue = this.queues.get(agent) ?? [];
    queue.push(full);
    this.queues.set(agent, queue.slice(-100));
    this.waiters.get(agent)?.();
    return full;
  }

  /** True when the agent is polling for commands now (or did in the last `withinMs`). */
  listening(agent: string, withinMs = 30_000, now = Date.now()): boolean {
    return this.waiters.has(agent) || now - (this.lastPoll.get(agent) ?? 0) < withinMs;
  }

  /** The agent's long poll: queued commands now, or the first one sent within `waitMs`. */
  async next(agent: string, waitMs: number, signal: AbortSignal): Promise<AgentCommand[]> {
    this.lastPoll.set(agent, Date.now());
    const take = () => {
      const queue = this.queues.get(agent) ?? [];
      this.queues.delete(agent);
      return queue;
    };
    const ready = take();
    if (ready.length > 0 || signal.aborted) return ready;
    this.waiters.get(agent)?.(); // a newer poll replaces an older one
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        if (this.waiters.get(agent) === done) this.waiters.delete(agent);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.set(agent, done);
    });
    this.lastPoll.set(agent, Date.now());
    return take();
  }

  /** Releases every waiting poll (the hub is stopping). */
  close(): void {
    for (const wake of [...this.waiters.values()]) wake();
  }
}
