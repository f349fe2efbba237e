import { BadRequestError, ForbiddenError } from '../../core/errors.js';
import { x509 } from '../../core/tls/x509.js';
import { canonicalSan, describeSan, parseSan, sansNotAllowed, type San } from './sans.js';
import type { SignOptions } from '../provisioners/provisioner.js';

/** A verified PKCS#10 request: the key it proves possession of and the names it asks for. */
export interface CertificateRequest {
  commonName: string | undefined;
  sans: San[];
  publicKey: x509.PublicKey;
}

const SAN_OID = '2.5.29.17';
const MAX_SANS = 100;

/**
 * Parses a CSR (PEM), checks its self-signature and key type, and extracts its names.
 * Anything wrong is a 400 naming the problem.
 */
export async function readCsr(pem: string): Promise<CertificateRequest> {
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(pem.replace(/NEW CERTIFICATE REQUEST/g, 'CERTIFICATE REQUEST'));
  } catch (err) {
    throw new BadRequestError('PKI_CSR_INVALID', `csr is not a PEM PKCS#10 certificate request: ${(err as Error).message}`);
  }
  let signatureOk = false;
  try {
    signatureOk = await csr.verify();
  } catch (err) {
    throw new BadRequestError('PKI_CSR_INVALID', `csr signature cannot be checked: ${(err as Error).message}`);
  }
  if (!signatureOk) throw new BadRequestError('PKI_CSR_SIGNATURE', 'csr signature does not verify: the request was altered or not signed by its key');
  checkKey(csr.publicKey);
  const commonNames = csr.subjectName.getField('CN');
  if (commonNames.length > 1) throw new BadRequestError('PKI_CSR_INVALID', 'csr subject has more than one common name');
  return { commonName: commonNames[0] || undefined, sans: requestedSans(csr), publicKey: csr.publicKey };
}

/**
 * The authority's check of a CSR against what the provisioner granted: every requested SAN must be
 * granted (403 naming the first one that is not), and the common name must be the token subject or
 * a granted SAN.
 */
export function checkCsrAllowed(csr: CertificateRequest, options: SignOptions): void {
  if (csr.sans.length === 0) throw new BadRequestError('PKI_CSR_NO_SANS', 'csr requests no subject alternative names (DNS, IP or URI)');
  const refused = sansNotAllowed(csr.sans, options.allowedSans);
  if (refused.length > 0) {
    const first = refused[0] as San;
    throw new ForbiddenError(
      'PKI_SAN_NOT_ALLOWED',
      `csr requests ${describeSan(first)}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}, which the token does not allow; token sans: ${options.allowedSans.map(describeSan).join(', ') || '(none)'}`,
    );
  }
  if (csr.commonName !== undefined && csr.commonName !== options.subject) {
    const allowed = new Set(options.allowedSans.map(canonicalSan));
    if (!allowed.has(canonicalSan(parseSan(csr.commonName)))) {
      throw new ForbiddenError('PKI_CN_NOT_ALLOWED', `csr common name "${csr.commonName}" is neither the token subject nor one of its sans`);
    }
  }
}

function requestedSans(csr: x509.Pkcs10CertificateRequest): San[] {
  const ext = csr.getExtension(SAN_OID);
  if (!ext) return [];
  let names: readonly x509.GeneralName[];
  try {
    names = new x509.SubjectAlternativeNameExtension(ext.rawData).names.items;
  } catch (err) {
    throw new BadRequestError('PKI_CSR_INVALID', `csr subject alternative names cannot be read: ${(err as Error).message}`);
  }
  if (names.length > MAX_SANS) throw new BadRequestError('PKI_CSR_INVALID', `csr requests ${names.length} names; at most ${MAX_SANS} are allowed`);
  return names.map((name): San => {
    switch (name.type) {
      case 'dns':
        return { type: 'dns', value: name.value };
      case 'ip':
        return { type: 'ip', value: name.value };
      case 'url':
        return { type: 'uri', value: name.value };
      default:
        throw new BadRequestError('PKI_CSR_UNSUPPORTED_SAN', `csr requests a SAN of type "${name.type}"; this CA issues DNS, IP and URI names only`);
    }
  });
}

function checkKey(publicKey: x509.PublicKey): void {
  const alg = publicKey.algorithm as { name?: string; namedCurve?: string; modulusLength?: number };
  if (alg.name === 'ECDSA' && (alg.namedCurve === 'P-256' || alg.namedCurve === 'P-384')) return;
  if ((alg.name === 'RSASSA-PKCS1-v1_5' || alg.name === 'RSA-PSS') && (alg.modulusLength ?? 0) >= 2048) return;
  if (alg.name === 'Ed25519') return;
  const what = alg.name === 'ECDSA' ? `ECDSA ${alg.namedCurve ?? '?'}` : `${alg.name ?? 'unknown'}${alg.modulusLength ? ` ${alg.modulusLength}-bit` : ''}`;
  throw new BadRequestError('PKI_CSR_KEY', `csr key ${what} is not accepted; use ECDSA P-256/P-384, RSA 2048+ or Ed25519`);
}
