import { mintToken, type ProvisionerKey } from '../core/ca-client/index.js';

/**
 * One-time CA tokens the hub mints with its provisioner key: for the replicas agents start (the
 * subject is the replica's SPIFFE URI, the token allows that URI, `localhost` and the agent's
 * advertised address) and for hosts that enroll (the agent's SPIFFE URI only).
 */
export class CaTokens {
  constructor(
    private readonly provisioner: ProvisionerKey,
    readonly caUrl: string,
  ) {}

  mint(identity: string, sans: readonly string[]): Promise<string> {
    return mintToken(this.provisioner, { subject: identity, sans: [...new Set(sans)], caUrl: this.caUrl });
  }

  forReplica(identity: string, advertiseAddress: string): Promise<string> {
    return this.mint(identity, [identity, 'localhost', advertiseAddress]);
  }
}
