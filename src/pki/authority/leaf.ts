import { x509 } from '../../core/tls/x509.js';
import type { toCryptoKeyPair } from '../../core/tls/keys.js';
import { randomSerialHex } from './ca-certificates.js';
import type { San } from './sans.js';
import type { Validity } from './lifetime.js';

/** The intermediate that signs leaves: its certificate and private key (WebCrypto, in memory only). */
export interface LeafSigner {
  cert: x509.X509Certificate;
  key: Awaited<ReturnType<typeof toCryptoKeyPair>>['privateKey'];
}

export interface LeafTemplate {
  commonName: string | undefined;
  sans: readonly San[];
  publicKey: x509.PublicKey;
  validity: Validity;
}

/**
 * An end-entity certificate: random 128-bit serial, CA:false, digitalSignature, serverAuth +
 * clientAuth, SKI/AKI, the SANs as given.
 */
export async function createLeafCertificate(signer: LeafSigner, template: LeafTemplate): Promise<x509.X509Certificate> {
  const names: x509.JsonGeneralName[] = template.sans.map((san) => ({ type: san.type === 'uri' ? 'url' : san.type, value: san.value }));
  const subject = template.commonName === undefined ? '' : `CN=${template.commonName.replace(/([,+"\\<>;=#])/g, '\\$1')}`;
  return x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject,
    issuer: signer.cert.subjectName,
    publicKey: template.publicKey,
    signingKey: signer.key,
    notBefore: template.validity.notBefore,
    notAfter: template.validity.notAfter,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(template.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(signer.cert.publicKey),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names, template.commonName === undefined)] : []),
    ],
  });
}
