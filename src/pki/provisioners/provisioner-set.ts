import { decodeProtectedHeader } from 'jose';
import { UnauthorizedError } from '../../core/errors.js';
import type { Provisioner, SignAuthorization } from './provisioner.js';

/** The CA's provisioners; routes a token to the one whose key id its header names. */
export class ProvisionerSet {
  constructor(private readonly provisioners: readonly Provisioner[]) {}

  get names(): string[] {
    return this.provisioners.map((p) => p.name);
  }

  async authorizeSign(token: string, audiencePath?: string): Promise<SignAuthorization> {
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new UnauthorizedError('PKI_TOKEN_INVALID', 'token is not a JWS compact serialization (header.payload.signature)');
    }
    if (!kid) throw new UnauthorizedError('PKI_TOKEN_INVALID', 'token header has no key id (kid)');
    const provisioner = this.provisioners.find((p) => p.hasKey(kid));
    if (!provisioner) throw new UnauthorizedError('PKI_TOKEN_UNKNOWN_KEY', `token key id "${kid}" belongs to no provisioner of this CA`);
    return provisioner.authorizeSign(token, audiencePath);
  }
}
