import { EventEmitter } from 'node:events';
import type { TLSSocket } from 'node:tls';
import type { RequestHead } from './request-head.js';

/** An event listener, typed as node's emitters take them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** Queued body bytes past which the connection stops reading until the consumer catches up. */
const HIGH_WATER = 64 * 1024;

/** What the request needs from its connection: flow control of the socket. */
export interface BodySource {
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * An HTTP/1.1 request read by the proxy's own listener: the head's fields under the names
 * node:http's IncomingMessage uses (so the proxy serves both alike), and the body either whole
 * (`completeBody`, when it arrived with the head — the common case, no events at all) or as `data`
 * and `end` events with pause/resume flow control. `aborted` when the client goes away before the
 * body ends; `error` when the body is malformed.
 */
export class Http1Request extends EventEmitter {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly rawHeaders: string[];
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor: number;
  /** The whole body, when it arrived before the request was handed on (or is empty). */
  completeBody: Buffer | undefined;
  readableEnded: boolean;
  private queue: Buffer[] | undefined;
  private queued = 0;
  private flowing = false;
  private flushScheduled = false;
  private endPending = false;
  private stalled = false;
  private wholeQueued = false;

  constructor(
    head: RequestHead,
    readonly socket: TLSSocket,
    private readonly source: BodySource,
    completeBody: Buffer | undefined,
  ) {
    super();
    this.method = head.method;
    this.url = head.url;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.httpVersionMinor = head.minor;
    this.completeBody = completeBody;
    this.readableEnded = completeBody !== undefined && completeBody.length === 0;
    // A whole body is also available as events, for consumers that read every body as a stream
    // (queued when they start reading, not before: most never do).
    if (completeBody !== undefined && completeBody.length > 0) this.endPending = true;
  }

  override on(event: string | symbol, listener: Listener): this {
    super.on(event, listener);
    if (event === 'data') this.resume();
    return this;
  }

  override once(event: string | symbol, listener: Listener): this {
    super.once(event, listener);
    if (event === 'data') this.resume();
    return this;
  }

  pause(): this {
    this.flowing = false;
    return this;
  }

  resume(): this {
    if (this.flowing) return this;
    this.flowing = true;
    const whole = this.completeBody;
    if (whole !== undefined && whole.length > 0 && this.endPending && this.queue === undefined && !this.wholeQueued) {
      this.wholeQueued = true;
      this.queue = [whole];
      this.queued = whole.length;
    }
    if ((this.queue || this.endPending || this.stalled) && !this.flushScheduled) {
      this.flushScheduled = true;
      process.nextTick(() => this.flush());
    }
    return this;
  }

  /** Body bytes from the connection. */
  push(chunk: Buffer): void {
    if (this.flowing && !this.queue) {
      this.emit('data', chunk);
      return;
    }
    (this.queue ??= []).push(chunk);
    this.queued += chunk.length;
    if (this.queued > HIGH_WATER && !this.stalled) {
      this.stalled = true;
      this.source.pauseReading();
    }
  }

  /** The body ended. */
  finishBody(): void {
    if (this.flowing && !this.queue) {
      this.readableEnded = true;
      this.emit('end');
    } else {
      this.endPending = true;
    }
  }

  /** The client went away before the body ended. */
  abort(): void {
    if (this.readableEnded || this.endPending) return;
    this.emit('aborted');
  }

  /** The body is malformed: consumers that listen for errors get it. */
  fail(err: Error): boolean {
    if (this.listenerCount('error') === 0) return false;
    this.emit('error', err);
    return true;
  }

  private flush(): void {
    this.flushScheduled = false;
    while (this.flowing && this.queue) {
      const q = this.queue;
      this.queue = undefined;
      this.queued = 0;
      for (let i = 0; i < q.length; i++) {
        this.emit('data', q[i] as Buffer);
        if (!this.flowing && i + 1 < q.length) {
          // Paused in the middle: keep the rest, in order, ahead of anything newer.
          const rest = q.slice(i + 1);
          if (this.queue) rest.push(...(this.queue as Buffer[]));
          this.queue = rest;
          for (const c of rest) this.queued += c.length;
          return;
        }
      }
    }
    if (!this.flowing) return;
    if (this.stalled) {
      this.stalled = false;
      this.source.resumeReading();
    }
    if (this.endPending && !this.queue) {
      this.endPending = false;
      this.readableEnded = true;
      this.emit('end');
    }
  }
}
