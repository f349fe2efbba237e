import { PhoenixError } from '../../core/errors.js';
import type { Problem } from './records.js';

/** RFC 8555 §6.7 error types this server uses (`urn:ietf:params:acme:error:<type>`). */
export type AcmeErrorType =
  | 'accountDoesNotExist'
  | 'alreadyRevoked'
  | 'badCSR'
  | 'badNonce'
  | 'badPublicKey'
  | 'badRevocationReason'
  | 'badSignatureAlgorithm'
  | 'connection'
  | 'dns'
  | 'externalAccountRequired'
  | 'incorrectResponse'
  | 'malformed'
  | 'orderNotReady'
  | 'rejectedIdentifier'
  | 'serverInternal'
  | 'tls'
  | 'unauthorized'
  | 'unsupportedIdentifier';

const STATUS: Record<AcmeErrorType, number> = {
  accountDoesNotExist: 400,
  alreadyRevoked: 400,
  badCSR: 400,
  badNonce: 400,
  badPublicKey: 400,
  badRevocationReason: 400,
  badSignatureAlgorithm: 400,
  connection: 400,
  dns: 400,
  externalAccountRequired: 401,
  incorrectResponse: 403,
  malformed: 400,
  orderNotReady: 403,
  rejectedIdentifier: 400,
  serverInternal: 500,
  tls: 400,
  unauthorized: 401,
  unsupportedIdentifier: 400,
};

export const ACME_ERROR_PREFIX = 'urn:ietf:params:acme:error:';

/** An ACME protocol error; the ACME routes render it once as `application/problem+json`. */
export class AcmeError extends PhoenixError {
  readonly acmeType: AcmeErrorType;

  constructor(type: AcmeErrorType, detail: string, options: { status?: number; cause?: unknown } = {}) {
    super(`PKI_ACME_${type.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`, options.status ?? STATUS[type], detail, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.acmeType = type;
  }

  toProblem(): Problem {
    return { type: `${ACME_ERROR_PREFIX}${this.acmeType}`, detail: this.message, status: this.status };
  }
}

/**
 * Errors from the authority (PKI_* codes) as ACME problems: policy and SAN refusals become
 * `rejectedIdentifier`, CSR faults `badCSR`, revocation conflicts `alreadyRevoked`; other
 * PhoenixErrors keep their status as `malformed`/`unauthorized`; anything else is `serverInternal`
 * without internals.
 */
export function toAcmeProblem(err: unknown): Problem & { status: number } {
  if (err instanceof AcmeError) return { ...err.toProblem(), status: err.status };
  if (err instanceof PhoenixError) {
    const type: AcmeErrorType =
      err.code === 'PKI_POLICY_DENIED' || err.code === 'PKI_SAN_NOT_ALLOWED'
        ? 'rejectedIdentifier'
        : err.code.startsWith('PKI_CSR')
          ? 'badCSR'
          : err.code === 'PKI_ALREADY_REVOKED'
            ? 'alreadyRevoked'
            : err.status === 401 || err.status === 403
              ? 'unauthorized'
              : err.status >= 500
                ? 'serverInternal'
                : 'malformed';
    const status = type === 'rejectedIdentifier' || type === 'badCSR' || type === 'alreadyRevoked' ? 400 : err.status;
    return { type: `${ACME_ERROR_PREFIX}${type}`, detail: err.message, status };
  }
  const e = err as { statusCode?: unknown; message?: unknown };
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { type: `${ACME_ERROR_PREFIX}malformed`, detail: `invalid request: ${String(e.message ?? 'bad input')}`, status: e.statusCode };
  }
  return { type: `${ACME_ERROR_PREFIX}serverInternal`, detail: 'internal error in the CA; see its log', status: 500 };
}
