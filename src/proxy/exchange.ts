/** An event listener, typed as node's emitters take them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Listener = (...args: any[]) => void;

/** Body events and flow control, as readable streams have them. */
export interface BodyStream {
  on(event: string, listener: Listener): unknown;
  once(event: string, listener: Listener): unknown;
  off(event: string, listener: Listener): unknown;
  pause(): unknown;
  resume(): unknown;
}

/**
 * An incoming request as the proxy reads it: what the proxy's own HTTP/1.1 server side
 * (http1/Http1Request), node:http's IncomingMessage and node:http2's compatibility request all have.
 */
export interface ProxyRequest extends BodyStream {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** `[name, value, …]` as received (HTTP/2 pseudo-headers included). */
  readonly rawHeaders: string[];
  readonly httpVersionMajor: number;
  readonly readableEnded: boolean;
  readonly socket: { readonly remoteAddress?: string | undefined } | null;
}

/** The answer side, as Http1Response, node:http's ServerResponse and node:http2's compatibility response all have it. */
export interface ProxyResponse {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  /** (Each also takes a flat `[name, value, …]` list, which their declared types do not say.) */
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Buffer): boolean;
  end(): unknown;
  end(chunk: Buffer | string): unknown;
  destroy(): unknown;
  once(event: 'close' | 'drain', listener: () => void): unknown;
  off(event: 'close', listener: () => void): unknown;
}

/** Qdrant's default `max_request_size_mb` is 32. */
export const DEFAULT_BODY_LIMIT = 32 * 1024 * 1024;

/**
 * One request on its way through a proxy hop: what was asked, who asked (as far as this hop knows),
 * what the middlewares decided, and what happened (for the access log and metrics). Created by the
 * entrypoint, read and amended by middlewares, the router and the forwarder.
 */
export class Exchange {
  readonly startedAt = performance.now();
  readonly method: string;
  /** Path and query as received. */
  readonly url: string;
  /** Path without the query. */
  readonly path: string;
  /** Host without port, lower-case. */
  readonly host: string;
  readonly clientIp: string;
  requestId = '';
  traceId = '';
  /** This hop's span id, sent upstream as the traceparent's parent id. */
  spanId = '';
  traceFlags = '00';
  /** A stable, non-secret handle of the presented credential (rate limits by API key). */
  clientKey: string | undefined;
  /** Who the client is at this hop (API key kind, token subject, or peer identity). */
  principal: string | undefined;
  bodyLimit = DEFAULT_BODY_LIMIT;
  /** Time allowed to receive the request body; 0 for none beyond the server's. */
  bodyTimeoutMs = 0;
  /** Headers this hop adds to every answer, flat `[name, value, …]` (request id, security headers). */
  readonly responseHeaders: string[] = [];
  /** Rewrites the whole upstream answer before it is sent (e.g. filtering a listing). */
  transformBody: ((status: number, body: Buffer) => Buffer) | undefined;
  /** Run once the exchange ends (in-flight limits release here). */
  cleanups: Array<() => void> | undefined;

  route: string | null = null;
  service: string | null = null;
  backend: string | null = null;
  status = 0;
  retries = 0;
  error: string | undefined;
  /** Milliseconds from sending upstream to the upstream's first answer byte (last attempt). */
  upstreamMs: number | undefined;

  constructor(
    readonly req: ProxyRequest,
    readonly res: ProxyResponse,
  ) {
    this.method = req.method ?? 'GET';
    this.url = req.url ?? '/';
    const q = this.url.indexOf('?');
    this.path = q < 0 ? this.url : this.url.slice(0, q);
    const authority = ((req.headers.host as string | undefined) ?? (req.headers[':authority'] as string | undefined) ?? '').toLowerCase();
    this.host = stripPort(authority);
    this.clientIp = req.socket?.remoteAddress ?? '';
  }

  header(name: string): string | undefined {
    const v = this.req.headers[name];
    return Array.isArray(v) ? v.join(', ') : v;
  }

  onDone(fn: () => void): void {
    (this.cleanups ??= []).push(fn);
  }

  /** Runs the cleanups once. */
  finish(): void {
    const c = this.cleanups;
    if (!c) return;
    this.cleanups = undefined;
    for (const fn of c) fn();
  }

  elapsedMs(): number {
    return performance.now() - this.startedAt;
  }
}

function stripPort(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end < 0 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.indexOf(':');
  return colon < 0 ? authority : authority.slice(0, colon);
}
