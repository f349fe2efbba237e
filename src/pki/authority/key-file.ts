import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors.js';

/** The cipher protecting CA keys at rest (PKCS#8 encrypted PEM). */
export const KEY_CIPHER = 'aes-256-cbc';

/** A fresh ECDSA P-256 key for a CA certificate. */
export function generateCaKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The key as PKCS#8 PEM encrypted with `password` (`-----BEGIN ENCRYPTED PRIVATE KEY-----`). */
export function encryptPrivateKey(key: KeyObject, password: string): string {
  return key.export({ format: 'pem', type: 'pkcs8', cipher: KEY_CIPHER, passphrase: password }).toString();
}

/** Plain PKCS#8 PEM, for handing to WebCrypto in memory; never written to disk. */
export function plainPrivateKeyPem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads and decrypts an encrypted key file; a wrong or missing password is a clear start-up error. */
export function readEncryptedKey(file: string, password: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read CA key ${file}: ${(err as Error).message}`);
  }
  if (!pem.includes('BEGIN ENCRYPTED PRIVATE KEY')) {
    throw new ConfigError(`CA key ${file} is not an encrypted PKCS#8 key; refusing to use an unprotected CA key`);
  }
  try {
    return createPrivateKey({ key: pem, format: 'pem', passphrase: password });
  } catch (err) {
    throw new ConfigError(`cannot decrypt CA key ${file}: wrong CA password? (${(err as Error).message})`, { cause: err });
  }
}
