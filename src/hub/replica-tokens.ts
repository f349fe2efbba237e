import { mintToken, type ProvisionerKey } from '../core/ca-client/index.js';

/**
 * One-time CA tokens for the replicas agents start: the subject is the replica's SPIFFE URI and the
 * token allows exactly that URI, `localhost` and the address its agent advertises.
 */
export class ReplicaTokens {
  constructor(
    private readonly provisioner: ProvisionerKey,
    private readonly caUrl: string,
  ) {}

  mint(identity: string, advertiseAddress: string): Promise<string> {
    const sans = [...new Set([identity, 'localhost', advertiseAddress])];
    return mintToken(this.provisioner, { subject: identity, sans, caUrl: this.caUrl });
  }
}
