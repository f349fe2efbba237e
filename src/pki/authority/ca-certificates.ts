import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { x509 } from '../../core/tls/x509.js';
import { toCryptoKeyPair } from '../../core/tls/keys.js';
import { plainPrivateKeyPem } from './key-file.js';

/** Root and intermediate lifetimes (step-ca's defaults: ten years each, the intermediate within the root). */
export const TEN_YEARS_MS = 10 * 365 * 86_400_000;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;

export interface CaCertificateOptions {
  trustDomain: string;
  notBefore: Date;
  notAfter: Date;
}

/** A self-signed root: CA with pathLen 1 (it signs the intermediate, which signs leaves). */
export async function createRootCertificate(key: KeyObject, options: CaCertificateOptions): Promise<string> {
  const keys = await toCryptoKeyPair(plainPrivateKeyPem(key));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: caName('Phoenix Root CA', options.trustDomain),
    keys,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return cert.toString('pem');
}

/** An intermediate signed by the root: CA with pathLen 0 (it signs leaves only). */
export async function createIntermediateCertificate(
  key: KeyObject,
  root: { certPem: string; key: KeyObject },
  options: CaCertificateOptions,
): Promise<string> {
  const rootCert = new x509.X509Certificate(root.certPem);
  const rootKeys = await toCryptoKeyPair(plainPrivateKeyPem(root.key));
  const publicKey = await toCryptoKeyPair(plainPrivateKeyPem(key));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: caName('Phoenix Intermediate CA', options.trustDomain),
    issuer: rootCert.subject,
    publicKey: publicKey.publicKey,
    signingKey: rootKeys.privateKey,
    notBefore: options.notBefore,
    notAfter: options.notAfter,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(publicKey.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(rootKeys.publicKey),
    ],
  });
  return cert.toString('pem');
}

/**
 * 128 random bits as hex for a positive DER INTEGER: a leading `00` keeps a high first bit from
 * reading as negative, and a zero first byte is bumped so the number keeps its 16 bytes.
 */
export function randomSerialHex(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  if (bytes[0] === 0) bytes[0] = 1;
  const hex = Buffer.from(bytes).toString('hex');
  return (bytes[0] ?? 0) >= 0x80 ? `00${hex}` : hex;
}

/** True when the certificate holds the public half of `key`. */
export function certificateMatchesKey(certPem: string, key: KeyObject): boolean {
  const certSpki = new X509Certificate(certPem).publicKey.export({ format: 'der', type: 'spki' });
  const keySpki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return certSpki.equals(keySpki);
}

function caName(cn: string, trustDomain: string): string {
  return `CN=${cn},O=Phoenix,OU=${trustDomain}`;
}

/** SHA-256 fingerprint of a certificate's DER, lower-case hex without separators (step's format). */
export function certificateFingerprint(certPem: string): string {
  return new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
}
