import type { Logger } from 'pino';
import type { z } from 'zod';
import { PhoenixError } from '../../core/errors.js';
import type { Exchange } from '../exchange.js';

/**
 * The one middleware shape. A factory has a type name (the key used in configuration, e.g.
 * `rateLimit`), a zod schema for its options, and `create`, which returns the middleware. A
 * middleware's `onRequest` runs before the request is forwarded and either returns (go on) or
 * throws a PhoenixError, which is answered instead (429, 403, 413 …). Work at the end of the
 * exchange is registered with `ex.onDone`.
 */
export interface Middleware {
  readonly type: string;
  onRequest(ex: Exchange): void;
  /** Stops background work (e.g. a sweeper); called when a snapshot replaces this one. */
  close?(): void;
}

export interface MiddlewareContext {
  /** The item's full name, `name@provider`. */
  name: string;
  logger: Logger;
  /** Counts a rejection in the proxy's metrics (`phoenix_proxy_rejections_total`). */
  rejected(type: string, reason: string): void;
}

export interface MiddlewareFactory<O = unknown> {
  readonly type: string;
  readonly options: z.ZodType<O>;
  create(options: O, ctx: MiddlewareContext): Middleware;
}

/** A refusal that carries response headers (e.g. `Retry-After`). */
export class RejectionError extends PhoenixError {
  constructor(
    code: string,
    status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, status, message);
  }
}

/** Declares a factory with its option type inferred from the schema. */
export function middlewareFactory<S extends z.ZodType>(
  type: string,
  options: S,
  create: (options: z.output<S>, ctx: MiddlewareContext) => Omit<Middleware, 'type'>,
): MiddlewareFactory<z.output<S>> {
  return { type, options: options as unknown as z.ZodType<z.output<S>>, create: (o, ctx) => ({ type, ...create(o, ctx) }) };
}
