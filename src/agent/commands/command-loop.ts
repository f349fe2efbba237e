import { existsSync } from 'node:fs';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import { sleep } from '../../core/lifecycle.js';
import { FileFollower, lastLines } from '../logs/tail.js';
import type { AgentCommand, HubClient } from '../report/hub-client.js';

const MAX_TAILS = 16;
const MAX_FOLLOW_MS = 30 * 60_000;
const BATCH_LINES = 500;

/**
 * The agent's side of the command channel: one long poll to the hub at a time (the hub answers when
 * it has something for this agent); each `tail` command ships the last lines of an instance's log
 * and, when following, new lines every ~250 ms, until the hub answers that the viewer has gone.
 */
export class CommandLoop {
  private readonly tails = new Set<Promise<void>>();

  constructor(
    private readonly hub: HubClient,
    private readonly logFileOf: (instance: string) => string,
    private readonly logger: Logger,
  ) {}

  async run(signal: AbortSignal): Promise<void> {
    let failing = false;
    while (!signal.aborted) {
      try {
        const commands = await this.hub.commands(25_000, signal);
        failing = false;
        for (const c of commands) this.dispatch(c, signal);
      } catch (err) {
        if (signal.aborted) break;
        if (!failing) this.logger.debug({ err: errorMessage(err) }, 'command poll failed; retrying');
        failing = true;
        await sleep(1000, signal).catch(() => undefined);
      }
    }
    await Promise.allSettled([...this.tails]);
  }

  private dispatch(c: AgentCommand, signal: AbortSignal): void {
    if (this.tails.size >= MAX_TAILS) {
      void this.hub.logs({ session: c.session, lines: [], error: `agent busy: ${MAX_TAILS} log tails already open` }, signal).catch(() => undefined);
      return;
    }
    const p = this.tail(c, signal).finally(() => this.tails.delete(p));
    this.tails.add(p);
  }

  private async tail(c: AgentCommand, signal: AbortSignal): Promise<void> {
    const file = this.logFileOf(c.instance);
    try {
      if (!existsSync(file)) {
        await this.hub.logs({ session: c.session, lines: [], error: `instance ${c.instance} has no log on this agent yet` }, signal);
        return;
      }
      const { lines, offset } = lastLines(file, c.lines);
      for (let i = 0; i < lines.length || i === 0; i += BATCH_LINES) {
        const open = await this.hub.logs({ session: c.session, lines: lines.slice(i, i + BATCH_LINES), eof: !c.follow && i + BATCH_LINES >= lines.length }, signal);
        if (!open) return;
        if (lines.length === 0) break;
      }
      if (!c.follow) return;
      const follower = new FileFollower(file, offset);
      const deadline = Date.now() + MAX_FOLLOW_MS;
      let idleSince = Date.now();
      while (!signal.aborted && Date.now() < deadline) {
        await sleep(250, signal);
        const fresh = follower.read();
        // With nothing new, still ask every few seconds whether the viewer is there.
        if (fresh.length === 0 && Date.now() - idleSince < 5000) continue;
        idleSince = Date.now();
        for (let i = 0; i < fresh.length || i === 0; i += BATCH_LINES) {
          if (!(await this.hub.logs({ session: c.session, lines: fresh.slice(i, i + BATCH_LINES) }, signal))) return;
          if (fresh.length === 0) break;
        }
      }
      await this.hub.logs({ session: c.session, lines: [], eof: true }, signal).catch(() => undefined);
    } catch (err) {
      if (signal.aborted) return;
      this.logger.debug({ instance: c.instance, err: errorMessage(err) }, 'log tail ended');
    }
  }
}
