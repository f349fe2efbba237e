import { z } from 'zod';
import { middlewareFactory } from '../middleware.js';

export const securityHeadersOptions = z.strictObject({
  /** Strict-Transport-Security; `false` to leave it out. */
  hsts: z
    .union([
      z.literal(false),
      z.strictObject({
        maxAge: z.number().int().min(0).default(31_536_000),
        includeSubDomains: z.boolean().default(true),
        preload: z.boolean().default(false),
      }),
    ])
    .default({ maxAge: 31_536_000, includeSubDomains: true, preload: false }),
  contentTypeNosniff: z.boolean().default(true),
  frameDeny: z.boolean().default(true),
  referrerPolicy: z.string().default('no-referrer'),
  /** Any other response headers to set. */
  custom: z.record(z.string(), z.string()).default({}),
});

/** Adds security headers to every answer, the proxy's own errors included. */
export const securityHeaders = middlewareFactory('securityHeaders', securityHeadersOptions, (o) => {
  const headers: string[] = [];
  if (o.hsts) headers.push('strict-transport-security', `max-age=${o.hsts.maxAge}${o.hsts.includeSubDomains ? '; includeSubDomains' : ''}${o.hsts.preload ? '; preload' : ''}`);
  if (o.contentTypeNosniff) headers.push('x-content-type-options', 'nosniff');
  if (o.frameDeny) headers.push('x-frame-options', 'DENY');
  if (o.referrerPolicy) headers.push('referrer-policy', o.referrerPolicy);
  for (const [k, v] of Object.entries(o.custom)) headers.push(k.toLowerCase(), v);
  return {
    onRequest(ex) {
      for (let i = 0; i < headers.length; i++) ex.responseHeaders.push(headers[i] as string);
    },
  };
});
