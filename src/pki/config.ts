import { isIP } from 'node:net';
import { z } from 'zod';
import { commonSchema, durationMs, listenSchema, port } from '../core/config.js';
import { acmeProvisionerSchema } from './acme/provisioner.js';
import { namePolicySchema } from './provisioners/name-policy.js';

/** Default HTTPS port of the CA (REST + ACME), as on `phoenix up`. */
export const DEFAULT_CA_PORT = 9000;

/**
 * Leaf certificate lifetimes. `default` is used when a request does not ask for one; requests are
 * clamped to [min, max]. Tests use seconds (min may go down to 1s) to exercise renewal.
 */
const lifetimeSchema = z
  .object({
    default: durationMs.prefault('24h'),
    min: durationMs.prefault('5m'),
    max: durationMs.prefault('24h'),
  })
  .refine((l) => l.min >= 1000, { message: 'lifetime.min must be at least 1s', path: ['min'] })
  .refine((l) => l.min <= l.max, { message: 'lifetime.min must not exceed lifetime.max', path: ['min'] })
  .refine((l) => l.default >= l.min && l.default <= l.max, { message: 'lifetime.default must lie between lifetime.min and lifetime.max', path: ['default'] });

export type LifetimePolicy = z.output<typeof lifetimeSchema>;

const ipAddress = z.string().refine((v) => isIP(v) !== 0, { message: 'must be an IPv4 or IPv6 address' });
const dnsName = z.string().regex(/^(\*\.)?[a-zA-Z0-9]([a-zA-Z0-9-]{0,62})(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,62}))*$/, 'must be a DNS name');

export const caConfigSchema = commonSchema.extend({
  /** The CA's HTTPS listener (REST; ACME later). */
  listen: listenSchema.extend({ port: port.default(DEFAULT_CA_PORT) }).prefault({}),
  /** DNS names in the CA's own certificate; token audiences must name one of these or an IP below. */
  dnsNames: z.array(dnsName).default(['localhost']),
  /** IP addresses in the CA's own certificate. */
  ipAddresses: z.array(ipAddress).default(['127.0.0.1']),
  /** File holding the password that encrypts the CA keys; default `<dataDir>/secrets/password` (generated). */
  passwordFile: z.string().optional(),
  lifetime: lifetimeSchema.prefault({}),
  /** Clock skew allowed when checking a token's `exp`/`nbf`. */
  tokenLeeway: durationMs.prefault('30s'),
  /** How often used token ids past their expiry are pruned from the store. */
  tokenPruneInterval: durationMs.prefault('10m'),
  /** ACME provisioners, each at `/acme/<name>/directory`; by default one named `acme`. */
  acme: z.array(acmeProvisionerSchema).prefault([{ name: 'acme' }]),
  /** Name policies of token provisioners, by provisioner name (e.g. `phoenix`). */
  policies: z.record(z.string(), namePolicySchema).default({}),
  /** Renewal of a certificate that has already expired (step-ca's allowRenewalAfterExpiry); off by default. */
  allowRenewalAfterExpiry: z.boolean().default(false),
  crl: z
    .object({
      /** How often the CRL is rebuilt even without revocations; its nextUpdate is two intervals ahead. */
      interval: durationMs.prefault('10m'),
    })
    .prefault({}),
});

export type CaConfig = z.output<typeof caConfigSchema>;
export type CaConfigInput = z.input<typeof caConfigSchema>;
