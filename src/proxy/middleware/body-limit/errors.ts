import { PhoenixError } from '../../../core/errors.js';

/** 413 in Qdrant's wording, so clients show a familiar message. */
export class BodyTooLargeError extends PhoenixError {
  constructor(size: number | undefined, limit: number) {
    super(
      'PROXY_BODY_TOO_LARGE',
      413,
      `Payload error: request body${size === undefined ? '' : ` (${size} bytes)`} is larger than allowed (limit: ${limit} bytes)`,
    );
  }
}
