import { ConflictError, UnauthorizedError } from '../../core/errors.js';
import { spiffeUri } from '../../core/tls/spiffe.js';
import type { Fleet } from '../fleet.js';
import type { CaTokens } from '../replica-tokens.js';
import type { EnrollmentStore, EnrollmentToken } from '../store/enrollment.js';

/** What a host gets for a valid enrollment token: how to obtain its agent identity from the CA. */
export interface EnrollmentGrant {
  name: string;
  identity: string;
  trustDomain: string;
  caUrl: string;
  /** One-time CA token (5 minutes) for exactly the agent's SPIFFE identity. */
  caToken: string;
}

/**
 * Host enrollment: an admin creates a one-time token; the host's `phoenix agent enroll` exchanges it
 * here for a one-time CA token bound to `spiffe://<td>/agent/<name>` (signed with the CA's `enroll`
 * provisioner, whose policy allows agent identities only, when the hub has its key), gets its
 * certificate from the CA with it, and from then on talks to the hub over mTLS only.
 */
export class Enrollment {
  constructor(
    private readonly store: EnrollmentStore,
    private readonly tokens: CaTokens,
    private readonly fleet: Fleet,
    private readonly trustDomain: string,
  ) {}

  create(createdBy: string, agentName: string | null, ttlMs: number): { token: string; record: EnrollmentToken } {
    return this.store.create({ agentName, createdBy, ttlMs });
  }

  list(): EnrollmentToken[] {
    return this.store.list();
  }

  delete(id: string): boolean {
    return this.store.delete(id);
  }

  async enroll(token: string, name: string, from: string): Promise<EnrollmentGrant> {
    const existing = this.fleet.agents().find((a) => a.name === name);
    if (existing?.liveness.healthy) {
      throw new ConflictError('HUB_AGENT_NAME_TAKEN', `an agent named "${name}" is connected; choose another name or remove that agent first`);
    }
    const claim = this.store.claim(token, name, from);
    if (!claim.ok) {
      const why = { unknown: 'unknown enrollment token', used: 'this enrollment token was already used', expired: 'this enrollment token has expired', name: `this enrollment token is for agent "${claim.token?.agentName}"` }[claim.reason];
      throw new UnauthorizedError('HUB_ENROLLMENT_REFUSED', why);
    }
    const identity = spiffeUri(this.trustDomain, 'agent', name);
    return { name, identity, trustDomain: this.trustDomain, caUrl: this.tokens.caUrl, caToken: await this.tokens.mint(identity, [identity]) };
  }
}
