import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import type { JwkProvisionerRecord } from './provisioners/jwk.js';

/**
 * What `initCa` records in `<dataDir>/ca.json` (step-ca's ca.json, reduced): the trust domain and
 * the provisioners' public keys. Secrets never go here.
 */
const jwkProvisionerSchema = z.object({
  type: z.literal('JWK'),
  name: z.string().min(1),
  kid: z.string().min(1),
  key: z.looseObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() }),
});

export const caSettingsSchema = z.object({
  version: z.literal(1),
  trustDomain: z.string().min(1),
  createdAt: z.string(),
  provisioners: z.array(jwkProvisionerSchema).min(1),
});

export interface CaSettings {
  version: 1;
  trustDomain: string;
  createdAt: string;
  provisioners: JwkProvisionerRecord[];
}

export function readCaSettings(file: string): CaSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read CA settings ${file}: ${(err as Error).message}`);
  }
  const parsed = caSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`CA settings ${file} are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data as CaSettings;
}
