import type { TLSSocket } from 'node:tls';
import { Http1Connection, type Http1Handler } from './connection.js';

export interface Http1Timeouts {
  /** The whole request head must arrive within this (from the connection's start, or its first byte). */
  header: number;
  /** A keep-alive connection with no request closes after this. */
  idle: number;
  /** The whole request, head and body, must arrive within this. */
  request: number;
}

/**
 * The proxy's own HTTP/1.1 server side, the counterpart of src/proxy/upstream: requests are parsed
 * from the TLS socket directly (see Http1Connection), without node:http's per-request objects and
 * stream machinery. Timeouts are enforced by one sweep over the connections every second at most
 * (as node:http's connectionsCheckingInterval), not by timers per request or per socket.
 */
export class Http1Listener {
  private readonly connections = new Set<Http1Connection>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly forget = (c: Http1Connection) => this.connections.delete(c);

  constructor(
    private readonly handler: Http1Handler,
    private readonly timeouts: Http1Timeouts,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(1000, timeouts.header)).unref();
  }

  get size(): number {
    return this.connections.size;
  }

  /** Serves a TLS connection that negotiated HTTP/1.1 (or no protocol). */
  accept(socket: TLSSocket): void {
    socket.setNoDelay(true);
    this.connections.add(new Http1Connection(socket, this.handler, this.forget));
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.connections) c.timeouts(now, this.timeouts);
  }

  /** Closes idle connections now, and the others once their current answer is complete. */
  closeIdle(): void {
    for (const c of this.connections) {
      c.closing = true;
      if (c.idle) c.destroy();
    }
  }

  closeAll(): void {
    clearInterval(this.sweeper);
    for (const c of this.connections) c.destroy();
  }
}
