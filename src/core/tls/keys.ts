import { generateKeyPairSync, createPrivateKey, createPublicKey, webcrypto, X509Certificate } from 'node:crypto';
import { x509 } from './x509.js';

type X509KeyPair = x509.Pkcs10CertificateRequestCreateParams['keys'];

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** A fresh ECDSA P-256 private key, PKCS#8 PEM. */
export function generatePrivateKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** WebCrypto key pair for a PKCS#8 PEM P-256 private key (as @peculiar/x509 needs). */
export async function toCryptoKeyPair(privateKeyPem: string): Promise<X509KeyPair> {
  const priv = createPrivateKey(privateKeyPem);
  const pkcs8 = priv.export({ format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(priv).export({ format: 'der', type: 'spki' });
  const subtle = webcrypto.subtle;
  const privateKey = await subtle.importKey('pkcs8', pkcs8, EC_P256, true, ['sign']);
  const publicKey = await subtle.importKey('spki', spki, EC_P256, true, ['verify']);
  return { privateKey, publicKey } as unknown as X509KeyPair;
}

export interface CsrSubject {
  commonName: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  uris?: readonly string[];
}

/** A PKCS#10 certificate request (PEM) for the key, asking for the given names. */
export async function createCsrPem(privateKeyPem: string, subject: CsrSubject): Promise<string> {
  const keys = await toCryptoKeyPair(privateKeyPem);
  const names: x509.JsonGeneralName[] = [
    ...(subject.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(subject.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
    ...(subject.uris ?? []).map((value) => ({ type: 'url' as const, value })),
  ];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${subject.commonName.replace(/([,+"\\<>;=])/g, '\\$1')}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: names.length ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return csr.toString('pem');
}

/** Splits a PEM bundle into its certificates, in order. */
export function splitPemChain(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => `${c}\n`) ?? [];
}

export interface CertificateFacts {
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  subjectAltName: string | undefined;
  fingerprint256: string;
}

export function certificateFacts(certPem: string): CertificateFacts {
  const cert = new X509Certificate(certPem);
  return {
    serialNumber: cert.serialNumber,
    notBefore: new Date(cert.validFrom),
    notAfter: new Date(cert.validTo),
    subjectAltName: cert.subjectAltName,
    fingerprint256: cert.fingerprint256,
  };
}
