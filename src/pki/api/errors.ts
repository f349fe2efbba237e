import { PhoenixError } from '../../core/errors.js';

/** step-ca's error body. */
export interface ApiErrorBody {
  status: number;
  message: string;
}

export interface ApiError extends ApiErrorBody {
  code: string;
}

/**
 * The one place errors become HTTP answers for the CA's REST API: PhoenixErrors keep their status
 * and message; framework errors for bad input (malformed JSON, wrong content type, body too large)
 * keep their 4xx; anything else is a 500 without internals.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof PhoenixError) return { status: err.status, message: err.message, code: err.code };
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (e?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, message: 'invalid request: unsupported content-type; send application/json', code: 'PKI_UNSUPPORTED_MEDIA_TYPE' };
  }
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, message: `invalid request: ${String(e.message ?? 'bad input')}`, code: typeof e.code === 'string' ? e.code : 'PKI_BAD_REQUEST' };
  }
  return { status: 500, message: 'internal error in the CA; see its log', code: 'PKI_INTERNAL' };
}
