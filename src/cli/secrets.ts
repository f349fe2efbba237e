import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A secret given by the environment, else read from `file`, else generated and written there with
 * mode 0600. Returns the value and where it came from (for the start-up banner; never the value).
 */
export function resolveSecret(given: string | undefined, file: string, generate: () => string): { value: string; source: string } {
  if (given !== undefined) return { value: given, source: 'environment' };
  if (existsSync(file)) return { value: readFileSync(file, 'utf8').trim(), source: file };
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const value = generate();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return { value, source: file };
}

export const generateApiKey = (): string => `phx_${randomBytes(24).toString('base64url')}`;
export const generatePassword = (): string => randomBytes(18).toString('base64url');
