import { z } from 'zod';
import { DEFAULT_BODY_LIMIT } from '../../exchange.js';
import { middlewareFactory } from '../middleware.js';
import { BodyTooLargeError } from './errors.js';

export { BodyTooLargeError } from './errors.js';

const UNITS: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3 };

/** `32mb`, `512kb`, `1048576`. */
export const byteSize = z.union([z.number().int().min(0), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
  const unit = UNITS[(m?.[2] ?? 'b').toLowerCase() || 'b'];
  if (!m || unit === undefined) {
    ctx.addIssue({ code: 'custom', message: `invalid size "${v}": use bytes or a unit, e.g. 32mb, 512kb` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * unit);
});

export const bodyLimitOptions = z.strictObject({ maxBytes: byteSize.default(DEFAULT_BODY_LIMIT) });

/**
 * Caps the request body (Qdrant's default is 32 MB; every hop has that default even without this
 * middleware). A declared length over the limit is refused at once with 413; a chunked body is
 * counted as it arrives and refused when it passes the limit.
 */
export const bodyLimit = middlewareFactory('bodyLimit', bodyLimitOptions, (o, ctx) => ({
  onRequest(ex) {
    ex.bodyLimit = o.maxBytes;
    const declared = ex.req.headers['content-length'];
    if (declared !== undefined && Number(declared) > o.maxBytes) {
      ctx.rejected('bodyLimit', 'declared');
      throw new BodyTooLargeError(Number(declared), o.maxBytes);
    }
  },
}));
