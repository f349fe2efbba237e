import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from '../../core/errors.js';
import { toCryptoKeyPair } from '../../core/tls/keys.js';
import { x509 } from '../../core/tls/x509.js';
import type { CaLayout } from '../layout.js';
import { certificateMatchesKey } from './ca-certificates.js';
import { plainPrivateKeyPem, readEncryptedKey } from './key-file.js';
import type { LeafSigner } from './leaf.js';

/** The loaded CA: root and intermediate certificates and the intermediate's key. The root key stays on disk. */
export interface CaKeys {
  rootPem: string;
  intermediatePem: string;
  root: X509Certificate;
  intermediate: X509Certificate;
  signer: LeafSigner;
}

/**
 * Loads the CA certificates and decrypts the intermediate key. Refuses (ConfigError) an expired or
 * not-yet-valid root or intermediate, saying which and when, an intermediate the root did not sign,
 * and a key that does not match its certificate.
 */
export async function loadCaKeys(layout: CaLayout, password: string, now = new Date()): Promise<CaKeys> {
  const rootPem = readPem(layout.rootCert);
  const intermediatePem = readPem(layout.intermediateCert);
  const root = parseCert(rootPem, layout.rootCert);
  const intermediate = parseCert(intermediatePem, layout.intermediateCert);
  checkValidity('root', layout.rootCert, root, now);
  checkValidity('intermediate', layout.intermediateCert, intermediate, now);
  if (!intermediate.checkIssued(root) || !intermediate.verify(root.publicKey)) {
    throw new ConfigError(`the intermediate certificate ${layout.intermediateCert} is not signed by the root ${layout.rootCert}`);
  }
  const key = readEncryptedKey(layout.intermediateKey, password);
  if (!certificateMatchesKey(intermediatePem, key)) {
    throw new ConfigError(`the intermediate key ${layout.intermediateKey} does not belong to ${layout.intermediateCert}`);
  }
  const { privateKey } = await toCryptoKeyPair(plainPrivateKeyPem(key));
  return { rootPem, intermediatePem, root, intermediate, signer: { cert: new x509.X509Certificate(intermediatePem), key: privateKey } };
}

/** Throws when `cert` is not valid at `now`: "the intermediate CA certificate … expired at …". */
export function checkValidity(which: 'root' | 'intermediate', file: string, cert: X509Certificate, now: Date): void {
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  if (now.getTime() >= notAfter.getTime()) {
    throw new ConfigError(`the ${which} CA certificate ${file} expired at ${notAfter.toISOString()}; the CA cannot start (renew or re-create the ${which})`);
  }
  if (now.getTime() < notBefore.getTime()) {
    throw new ConfigError(`the ${which} CA certificate ${file} is not valid before ${notBefore.toISOString()}; check the system clock`);
  }
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read CA certificate ${file}: ${(err as Error).message}`);
  }
}

function parseCert(pem: string, file: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw new ConfigError(`${file} is not a PEM certificate: ${(err as Error).message}`);
  }
}
