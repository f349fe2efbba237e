import { randomBytes } from 'node:crypto';
import { ForbiddenError, NotFoundError } from '../../core/errors.js';
import type { AgentChannel } from './channel.js';

export type LogEvent = { type: 'lines'; lines: string[] } | { type: 'end'; reason: string };

/** One viewer of one instance's log: lines arrive from the agent, go out to the viewer. */
export class LogSession {
  private readonly listeners = new Set<(e: LogEvent) => void>();
  private ended = false;
  lastDeliveryAt = 0;

  constructor(
    readonly id: string,
    readonly agent: string,
    readonly instance: string,
    private readonly onClose: (s: LogSession) => void,
  ) {}

  get open(): boolean {
    return !this.ended;
  }

  on(listener: (e: LogEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(e: LogEvent): void {
    if (this.ended) return;
    for (const l of this.listeners) l(e);
    if (e.type === 'end') this.close();
  }

  /** The viewer left (or the log ended): the agent is told on its next delivery. */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.onClose(this);
  }
}

/**
 * Live log tails. A viewer asks for an instance's log; the hub queues a `tail` command for the
 * instance's agent; the agent ships the last lines and then new ones as they are written, in
 * batches, and stops as soon as the hub answers that the viewer has gone.
 */
export class LogSessions {
  private readonly sessions = new Map<string, LogSession>();

  constructor(private readonly channel: AgentChannel) {}

  open(agent: string, instance: string, lines: number, follow: boolean): LogSession {
    const id = randomBytes(12).toString('base64url');
    const session = new LogSession(id, agent, instance, (s) => {
      // Kept a while so the agent's next delivery learns it is closed.
      setTimeout(() => this.sessions.delete(s.id), 60_000).unref();
    });
    this.sessions.set(id, session);
    this.channel.send(agent, { type: 'tail', session: id, instance, lines, follow });
    return session;
  }

  /** Lines from an agent; answers whether the viewer is still there. */
  deliver(agent: string, sessionId: string, lines: string[], eof: boolean, error?: string): { open: boolean } {
    const s = this.sessions.get(sessionId);
    if (!s) throw new NotFoundError('HUB_LOG_SESSION_NOT_FOUND', `no log session "${sessionId}"`);
    if (s.agent !== agent) throw new ForbiddenError('HUB_LOG_SESSION_FORBIDDEN', `log session "${sessionId}" belongs to another agent`);
    s.lastDeliveryAt = Date.now();
    if (lines.length > 0) s.emit({ type: 'lines', lines });
    if (error !== undefined) s.emit({ type: 'end', reason: error });
    else if (eof) s.emit({ type: 'end', reason: 'end of log' });
    return { open: s.open };
  }

  closeAll(): void {
    for (const s of this.sessions.values()) s.emit({ type: 'end', reason: 'the hub is stopping' });
  }
}
