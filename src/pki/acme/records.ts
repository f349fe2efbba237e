import type { JWK } from 'jose';

/** RFC 8555 objects as the CA stores them (wire shapes are built from these in `wire.ts`). */
export type AccountStatus = 'valid' | 'deactivated' | 'revoked';
export type OrderStatus = 'pending' | 'ready' | 'processing' | 'valid' | 'invalid';
export type AuthzStatus = 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired' | 'revoked';
export type ChallengeStatus = 'pending' | 'processing' | 'valid' | 'invalid';
export type ChallengeType = 'http-01' | 'tls-alpn-01' | 'dns-01';
export const CHALLENGE_TYPES: readonly ChallengeType[] = ['http-01', 'tls-alpn-01', 'dns-01'];

export interface Identifier {
  type: 'dns' | 'ip';
  value: string;
}

/** An RFC 8555 problem document kept with a failed order or challenge. */
export interface Problem {
  type: string;
  detail: string;
  status?: number;
}

export interface AcmeAccount {
  id: string;
  provisioner: string;
  /** RFC 7638 thumbprint of the account key; one account per key and provisioner. */
  thumbprint: string;
  jwk: JWK;
  status: AccountStatus;
  contact: string[];
  /** The external account binding key it was created with, if any. */
  eabKid?: string | undefined;
  /** A SPIFFE URI the binding grants: certificates of this account may carry it besides the order's names. */
  boundUri?: string | undefined;
  created: Date;
}

export interface AcmeOrder {
  id: string;
  account: string;
  provisioner: string;
  status: OrderStatus;
  identifiers: Identifier[];
  notBefore?: Date | undefined;
  notAfter?: Date | undefined;
  expires: Date;
  /** Id of the issued certificate (download URL `…/certificate/<id>`). */
  certificate?: string | undefined;
  error?: Problem | undefined;
  created: Date;
}

export interface AcmeAuthz {
  id: string;
  orderId: string;
  account: string;
  identifier: Identifier;
  wildcard: boolean;
  status: AuthzStatus;
  expires: Date;
}

export interface AcmeChallenge {
  id: string;
  authz: string;
  type: ChallengeType;
  token: string;
  status: ChallengeStatus;
  validated?: Date | undefined;
  error?: Problem | undefined;
}

export interface AcmeCertificate {
  id: string;
  orderId: string;
  account: string;
  serial: string;
  /** Leaf then intermediate, PEM (`application/pem-certificate-chain`). */
  chain: string;
}

export interface EabKey {
  kid: string;
  provisioner: string;
  /** HMAC key, base64url. */
  hmac: string;
  boundUri?: string | undefined;
  /** The account it was used for; a key binds one account only. */
  account?: string | undefined;
  expires: Date;
}
