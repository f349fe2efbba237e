import { z } from 'zod';
import { durationMs, port } from '../../core/config.js';
import { NamePolicy, namePolicySchema } from '../provisioners/name-policy.js';
import { CHALLENGE_TYPES, type ChallengeType } from './records.js';

/**
 * An ACME provisioner (`/acme/<name>/directory`): which challenges it offers, where it connects to
 * validate them, its name policy, and whether accounts need an external account binding.
 */
export const acmeProvisionerSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9._-]{1,64}$/),
  challenges: z.array(z.enum(CHALLENGE_TYPES as [ChallengeType, ...ChallengeType[]])).min(1).default([...CHALLENGE_TYPES]),
  /** Ports the CA connects to when validating (RFC 8555: 80 and 443); tests and one-host setups move them. */
  challengePorts: z.strictObject({ http01: port.default(80), tlsAlpn01: port.default(443) }).prefault({}),
  /** DNS servers (`host` or `host:port`) for dns-01 TXT lookups; default: the system resolver. */
  dnsResolvers: z.array(z.string().min(1)).default([]),
  /** Accounts must be created with an external account binding (keys from `POST /1.0/eab`). */
  requireEab: z.boolean().default(false),
  policy: namePolicySchema.prefault({}),
  /** Lifetime of issued certificates (clamped to the CA's bounds); default the CA's default. */
  lifetime: durationMs.optional(),
  /** How long validation attempts of one challenge may keep retrying a connection error. */
  validationRetry: durationMs.prefault('3s'),
});
export type AcmeProvisionerConfig = z.output<typeof acmeProvisionerSchema>;

export class AcmeProvisioner {
  readonly name: string;
  readonly policy: NamePolicy;

  constructor(readonly config: AcmeProvisionerConfig) {
    this.name = config.name;
    this.policy = new NamePolicy(config.name, config.policy);
  }

  offers(type: ChallengeType): boolean {
    return this.config.challenges.includes(type);
  }
}
