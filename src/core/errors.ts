/**
 * Errors with stable codes. Handlers throw these; each API renders them once, in its own format
 * (Qdrant envelope for `vector`, RFC 8555 problem+json for ACME, RFC 9457 problem+json for the hub,
 * plain text for the proxies). Codes are `<AREA>_<WHAT>`, e.g. `PKI_TOKEN_REUSED`.
 */
export class PhoenixError extends Error {
  /** Stable machine-readable code, e.g. `VECTOR_COLLECTION_NOT_FOUND`. */
  readonly code: string;
  /** HTTP status an API should answer with when this error reaches it. */
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** Input the caller can fix (bad body, bad parameter). */
export class BadRequestError extends PhoenixError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 400, message, options);
  }
}

export class UnauthorizedError extends PhoenixError {
  constructor(code: string, message: string) {
    super(code, 401, message);
  }
}

export class ForbiddenError extends PhoenixError {
  constructor(code: string, message: string) {
    super(code, 403, message);
  }
}

export class NotFoundError extends PhoenixError {
  constructor(code: string, message: string) {
    super(code, 404, message);
  }
}

export class ConflictError extends PhoenixError {
  constructor(code: string, message: string) {
    super(code, 409, message);
  }
}

/** A dependency (backend, CA, hub) cannot serve right now; retrying later may work. */
export class UnavailableError extends PhoenixError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 503, message, options);
  }
}

/** Configuration that cannot work; raised at start, before anything listens. */
export class ConfigError extends PhoenixError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', 500, message, options);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
