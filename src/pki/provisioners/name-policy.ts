import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { ForbiddenError } from '../../core/errors.js';
import { describeSan, type San } from '../authority/sans.js';

/**
 * A provisioner's name policy (step-ca's x509 policy, reduced): lists of allowed and denied DNS
 * names, IP ranges and URI patterns. A denied name is always refused; once any allow rule exists,
 * a name must match an allow rule of its own type.
 * - DNS: exact (`localhost`), `*.example.com` (any name below example.com), or `*` (any name).
 * - IP: an address or a CIDR range (`10.0.0.0/8`, `::1/128`).
 * - URI: exact, or with `*` standing for one path segment (`spiffe://phoenix.internal/router/*`).
 */
const rulesSchema = z.strictObject({
  dns: z.array(z.string().min(1)).default([]),
  ips: z.array(z.string().refine(validIpRule, { message: 'must be an IP address or CIDR range' })).default([]),
  uris: z.array(z.string().min(1)).default([]),
});

export const namePolicySchema = z.strictObject({
  allow: rulesSchema.prefault({}),
  deny: rulesSchema.prefault({}),
});
export type NamePolicyConfig = z.input<typeof namePolicySchema>;
type Rules = z.output<typeof rulesSchema>;

class CompiledRules {
  private readonly dns: string[];
  private readonly ips = new BlockList();
  private readonly uris: RegExp[];
  readonly empty: boolean;

  constructor(rules: Rules) {
    this.dns = rules.dns.map((d) => d.toLowerCase().replace(/\.$/, ''));
    for (const rule of rules.ips) addIpRule(this.ips, rule);
    this.uris = rules.uris.map(uriPattern);
    this.empty = rules.dns.length + rules.ips.length + rules.uris.length === 0;
  }

  matches(san: San): boolean {
    switch (san.type) {
      case 'dns': {
        const name = san.value.toLowerCase().replace(/\.$/, '');
        return this.dns.some((rule) => rule === '*' || (rule.startsWith('*.') ? name.endsWith(rule.slice(1)) && name.length > rule.length - 1 : name === rule));
      }
      case 'ip':
        return this.ips.check(san.value, isIP(san.value) === 6 ? 'ipv6' : 'ipv4');
      case 'uri':
        return this.uris.some((re) => re.test(san.value));
      default: {
        const never: never = san.type;
        throw new Error(`unknown SAN type ${String(never)}`);
      }
    }
  }
}

export class NamePolicy {
  private readonly allow: CompiledRules;
  private readonly deny: CompiledRules;

  constructor(
    readonly provisioner: string,
    config: z.output<typeof namePolicySchema>,
  ) {
    this.allow = new CompiledRules(config.allow);
    this.deny = new CompiledRules(config.deny);
  }

  static parse(provisioner: string, input: unknown): NamePolicy {
    return new NamePolicy(provisioner, namePolicySchema.parse(input ?? {}));
  }

  /** The first name the policy refuses, with why; undefined when all are allowed. */
  refusal(sans: readonly San[]): { san: San; why: 'denied' | 'not allowed' } | undefined {
    for (const san of sans) {
      if (this.deny.matches(san)) return { san, why: 'denied' };
      if (!this.allow.empty && !this.allow.matches(san)) return { san, why: 'not allowed' };
    }
    return undefined;
  }

  /** Throws 403 `PKI_POLICY_DENIED` naming the first refused name. */
  check(sans: readonly San[]): void {
    const refused = this.refusal(sans);
    if (refused) {
      throw new ForbiddenError('PKI_POLICY_DENIED', `${describeSan(refused.san)} is ${refused.why} by the name policy of provisioner "${this.provisioner}"`);
    }
  }
}

function uriPattern(rule: string): RegExp {
  const escaped = rule.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]+');
  return new RegExp(`^${escaped}$`);
}

function validIpRule(rule: string): boolean {
  const [addr, bits, ...rest] = rule.split('/');
  if (rest.length > 0 || !addr || isIP(addr) === 0) return false;
  if (bits === undefined) return true;
  const n = Number(bits);
  return Number.isInteger(n) && n >= 0 && n <= (isIP(addr) === 6 ? 128 : 32);
}

function addIpRule(list: BlockList, rule: string): void {
  const [addr, bits] = rule.split('/') as [string, string | undefined];
  const family = isIP(addr) === 6 ? 'ipv6' : 'ipv4';
  if (bits === undefined) list.addAddress(addr, family);
  else list.addSubnet(addr, Number(bits), family);
}
