import { Agent, request } from 'undici';
import type { Logger } from '../../core/log.js';
import { errorMessage } from '../../core/errors.js';
import { every } from '../../core/lifecycle.js';
import type { HubPeer } from '../config.js';

/** The health of a role the hub checks, or hears from. */
export interface RoleStatus {
  role: string;
  name: string;
  healthy: boolean;
  detail: string;
  /** Last time it was seen healthy (ms since epoch), if ever. */
  lastSeenAt: number | null;
}

/**
 * Checks the configured peers (the CA, the gateway) over HTTPS, trusting our root, every interval.
 * A peer is healthy when its health URL answers 2xx within the timeout.
 */
export class PeerMonitor {
  private readonly status = new Map<string, RoleStatus>();
  private readonly dispatcher: Agent;

  constructor(
    private readonly peers: readonly HubPeer[],
    rootPem: string,
    private readonly options: { intervalMs: number; timeoutMs: number; logger: Logger },
  ) {
    this.dispatcher = new Agent({ connect: { ca: rootPem, timeout: options.timeoutMs }, keepAliveTimeout: 1000 });
    for (const p of peers) this.status.set(key(p), { role: p.role, name: p.name, healthy: false, detail: 'not checked yet', lastSeenAt: null });
  }

  /** Checks until `signal` aborts. */
  start(signal: AbortSignal): void {
    if (this.peers.length === 0) return;
    void every(this.options.intervalMs, signal, () => this.checkAll(signal), (err) => this.options.logger.warn({ err: errorMessage(err) }, 'peer health check failed'));
  }

  async checkAll(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.peers.map((p) => this.check(p, signal)));
  }

  statuses(): RoleStatus[] {
    return [...this.status.values()];
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  private async check(peer: HubPeer, signal?: AbortSignal): Promise<void> {
    const prev = this.status.get(key(peer));
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    try {
      const res = await request(peer.healthUrl, {
        dispatcher: this.dispatcher,
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        headersTimeout: this.options.timeoutMs,
        bodyTimeout: this.options.timeoutMs,
      });
      await res.body.dump();
      const healthy = res.statusCode >= 200 && res.statusCode < 300;
      this.set(peer, healthy, healthy ? 'ok' : `health check answered ${res.statusCode}`, healthy ? Date.now() : (prev?.lastSeenAt ?? null));
    } catch (err) {
      if (signal?.aborted) return;
      const detail = timeout.aborted ? `no answer within ${this.options.timeoutMs} ms` : `unreachable: ${errorMessage(err)}`;
      this.set(peer, false, detail, prev?.lastSeenAt ?? null);
    }
  }

  private set(peer: HubPeer, healthy: boolean, detail: string, lastSeenAt: number | null): void {
    const prev = this.status.get(key(peer));
    if (prev && prev.healthy !== healthy) this.options.logger.info({ peer: `${peer.role}/${peer.name}`, healthy, detail }, 'peer health changed');
    this.status.set(key(peer), { role: peer.role, name: peer.name, healthy, detail, lastSeenAt });
  }
}

function key(p: HubPeer): string {
  return `${p.role}/${p.name}`;
}
