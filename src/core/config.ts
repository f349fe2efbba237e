import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseDuration } from './duration.js';

/**
 * Shared pieces of the typed configuration model. Each role has its own zod schema
 * (`src/<role>/config.ts`) built from these; `src/cli` reads file → env → flags in that order,
 * validates once, and passes a frozen object inward. Nothing below `cli/` reads `process.env`.
 */
export const DEFAULT_TRUST_DOMAIN = 'phoenix.internal';

/** A duration written `30s`, `5m`, `24h`, or milliseconds as a number. Parsed to milliseconds. */
export const durationMs = z.union([z.number().int().nonnegative(), z.string()]).transform((v, ctx) => {
  if (typeof v === 'number') return v;
  try {
    return parseDuration(v);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
    return z.NEVER;
  }
});

export const port = z.coerce.number().int().min(0).max(65535);

export const listenSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: port,
});

/** How a role reaches the CA and proves who it is the first time. */
export const caAccessSchema = z.object({
  /** CA base URL, e.g. https://localhost:9000 */
  url: z.string().url(),
  /** The root certificate to trust (PEM file). */
  rootFile: z.string(),
  /** One-time provisioning token for the first certificate. */
  token: z.string().optional(),
  /** Provisioner key file; lets the role mint its own tokens (single-host deployments). */
  provisionerKeyFile: z.string().optional(),
});
export type CaAccess = z.infer<typeof caAccessSchema>;

export const logSchema = z.object({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') });

/** Fields every role's config has. */
export const commonSchema = z.object({
  /** Instance name; the last segment of the SPIFFE identity. */
  name: z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/),
  trustDomain: z.string().regex(/^[a-z0-9.-]+$/).default(DEFAULT_TRUST_DOMAIN),
  /** Data directory of this role. */
  dataDir: z.string(),
  log: logSchema.default({ level: 'info' }),
});

/** Reads a YAML or JSON config file into a plain object. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`config file ${file} must hold a mapping`);
  return parsed as Record<string, unknown>;
}

/** Deep-merges plain objects; later layers win. Arrays and scalars are replaced. */
export function mergeLayers(...layers: Array<Record<string, unknown> | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const prev = out[key];
      out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeLayers(prev, value) : value;
    }
  }
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Validates with a role schema; errors list every bad field with its path. Result is frozen. */
export function validateConfig<S extends z.ZodType>(schema: S, input: unknown, what: string): Readonly<z.output<S>> {
  const result = schema.safeParse(input);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid ${what} configuration:\n${lines.join('\n')}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
