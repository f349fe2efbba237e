import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { middlewareFactory, RejectionError } from '../middleware.js';

export const ipAllowListOptions = z.strictObject({
  /** Addresses and CIDR ranges allowed, e.g. `127.0.0.1/32`, `10.0.0.0/8`, `::1`. */
  sourceRange: z
    .array(z.string())
    .min(1)
    .refine((ranges) => ranges.every((r) => parseRange(r) !== undefined), { message: 'each entry must be an IP address or CIDR range' }),
});

function parseRange(text: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [address = '', prefixText] = text.trim().split('/');
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** IPv4 clients of a dual-stack listener show up as `::ffff:a.b.c.d`. */
function normalize(ip: string): { address: string; family: 'ipv4' | 'ipv6' } {
  if (ip.startsWith('::ffff:') && ip.includes('.')) return { address: ip.slice(7), family: 'ipv4' };
  return { address: ip, family: isIP(ip) === 6 ? 'ipv6' : 'ipv4' };
}

/** Only clients whose address is in `sourceRange` pass; the others get 403. */
export const ipAllowList = middlewareFactory('ipAllowList', ipAllowListOptions, (o, ctx) => {
  const list = new BlockList();
  for (const r of o.sourceRange) {
    const range = parseRange(r);
    if (range) list.addSubnet(range.address, range.prefix, range.family);
  }
  return {
    onRequest(ex) {
      const { address, family } = normalize(ex.clientIp);
      if (address && list.check(address, family)) return;
      ctx.rejected('ipAllowList', 'address');
      throw new RejectionError('PROXY_ADDRESS_NOT_ALLOWED', 403, `Forbidden: client address ${ex.clientIp || '(unknown)'} is not allowed`);
    },
  };
});
