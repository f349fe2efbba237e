import type { San } from '../authority/sans.js';
import type { NamePolicy } from './name-policy.js';

/**
 * What a provisioner decides when it accepts a sign request; the authority applies it (it checks
 * the CSR against these names, picks the lifetime and records the token as used).
 */
export interface SignOptions {
  /** Provisioner name, recorded with the certificate. */
  provisioner: string;
  /** The token's subject; the CSR's common name must be it or one of the allowed SANs. */
  subject: string;
  /** The only SANs the certificate may carry. */
  allowedSans: San[];
  /** A lifetime the provisioner asks for; the authority still clamps it to its bounds. */
  lifetimeMs?: number;
  /** The provisioner's name policy; the authority refuses names it does not allow. */
  policy?: NamePolicy | undefined;
}

/** The token to mark as used once the request is otherwise acceptable. */
export interface OneTimeToken {
  provisioner: string;
  jti: string;
  subject: string;
  expiresAt: Date;
}

export interface SignAuthorization {
  options: SignOptions;
  token: OneTimeToken;
}

/** A token provisioner (JWK one-time tokens; host enrollment tokens are JWK tokens of their own provisioner). ACME provisioners live in acme/. */
export interface Provisioner {
  readonly type: 'JWK';
  readonly name: string;
  /** True when this provisioner signs tokens with this key id. */
  hasKey(kid: string): boolean;
  /**
   * Verifies a one-time token whose audience is this CA's `audiencePath` (default `/1.0/sign`);
   * throws an Unauthorized/Forbidden PhoenixError when it does not hold.
   */
  authorizeSign(token: string, audiencePath?: string): Promise<SignAuthorization>;
}
