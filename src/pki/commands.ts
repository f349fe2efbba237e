import { readFileSync } from 'node:fs';
import { loadProvisionerKey, mintToken } from '../core/ca-client/token.js';
import { ConfigError } from '../core/errors.js';
import { certificateFingerprint } from './authority/ca-certificates.js';
import { initCa, type InitCaOptions, type InitCaResult } from './init.js';
import { caLayout } from './layout.js';

/**
 * What `phoenix ca …` runs (the CLI parses arguments and prints; these do the work).
 */

/** `phoenix ca init`: creates the CA in `dataDir` unless one is there. */
export function caInit(options: InitCaOptions): Promise<InitCaResult> {
  return initCa(options);
}

/** `phoenix ca fingerprint`: the root's SHA-256 fingerprint, lower-case hex (as `GET /root/<fp>` takes). */
export function caFingerprint(dataDir: string): string {
  const file = caLayout(dataDir).rootCert;
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`no CA root at ${file} (run \`phoenix ca init\` first): ${(err as Error).message}`);
  }
  return certificateFingerprint(pem);
}

export interface CaTokenOptions {
  /** The CA data directory holding `secrets/provisioner.json`; or give `provisionerKeyFile`. */
  dataDir?: string;
  /** `phoenix` (default) or `enroll` (host enrollment tokens for agents), with `dataDir`. */
  provisioner?: string;
  provisionerKeyFile?: string;
  /** The certificate's subject, e.g. `spiffe://phoenix.internal/router/r1` or a DNS name. */
  subject: string;
  /** SANs the certificate may carry (`--san`, repeatable); default: the subject. */
  sans?: readonly string[];
  /** CA base URL, e.g. `https://localhost:9000`. */
  caUrl: string;
  ttlSeconds?: number;
}

/** `phoenix ca token <subject> --san …`: a one-time token for one certificate. */
export async function caToken(options: CaTokenOptions): Promise<string> {
  const layout = options.dataDir !== undefined ? caLayout(options.dataDir) : undefined;
  const file = options.provisionerKeyFile ?? (options.provisioner === 'enroll' ? layout?.enrollKeyFile : layout?.provisionerKeyFile);
  if (!file) throw new ConfigError('caToken needs dataDir or provisionerKeyFile');
  let provisioner;
  try {
    provisioner = loadProvisionerKey(file);
  } catch (err) {
    throw new ConfigError(`cannot load the provisioner key: ${(err as Error).message}`);
  }
  const sans = options.sans && options.sans.length > 0 ? options.sans : [options.subject];
  return mintToken(provisioner, {
    subject: options.subject,
    sans,
    caUrl: options.caUrl,
    ...(options.ttlSeconds !== undefined ? { ttlSeconds: options.ttlSeconds } : {}),
  });
}
