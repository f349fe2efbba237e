import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { SignJWT } from 'jose';
import { parseDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import { readEnv } from './env.js';
import { homeLayout } from './paths.js';

export interface KeyRequest {
  access: 'r' | 'm' | 'rw';
  collections: string[];
  ttlMs: number | undefined;
  subject: string | undefined;
}

/** The Qdrant JWT claims for a request: global `r`/`m`, or per collection `r`/`rw`. */
export function accessClaim(req: KeyRequest): 'r' | 'm' | Array<{ collection: string; access: 'r' | 'rw' }> {
  if (req.collections.length === 0) {
    if (req.access === 'rw') throw new ConfigError('--access rw needs --collection; a global token is r (read-only) or m (manage)');
    return req.access;
  }
  return req.collections.map((collection) => ({ collection, access: req.access === 'r' ? 'r' : 'rw' }));
}

/** An HS256 JWT signed with the API key, as Qdrant verifies them (and so does the gateway). */
export async function createKey(apiKey: string, req: KeyRequest, now = Date.now()): Promise<string> {
  const jwt = new SignJWT({ access: accessClaim(req) }).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).setIssuedAt(Math.floor(now / 1000));
  if (req.ttlMs !== undefined) jwt.setExpirationTime(Math.floor((now + req.ttlMs) / 1000));
  if (req.subject) jwt.setSubject(req.subject);
  return jwt.sign(new TextEncoder().encode(apiKey));
}

/** `phoenix keys create`: tokens for clients of the gateway. */
export function registerKeysCommands(program: Command): void {
  const keys = program.command('keys').description('client credentials for the gateway (Qdrant-compatible JWTs)');
  keys
    .command('create')
    .description('print a token signed with the API key: global read-only (r) or manage (m), or limited to collections')
    .requiredOption('--access <level>', 'r (read-only) or m (manage; with --collection: read-write)')
    .option('--collection <name...>', 'limit the token to these collections (repeatable)')
    .option('--ttl <duration>', 'validity, e.g. 24h, 30m, 7d (default: no expiry)')
    .option('--sub <name>', 'a subject shown in the access log')
    .option('--home <dir>', 'data directory (overrides PHOENIX_HOME)')
    .action(async (opts: { access: string; collection?: string[]; ttl?: string; sub?: string; home?: string }) => {
      if (!['r', 'm', 'rw'].includes(opts.access)) throw new ConfigError(`--access must be r or m, not ${opts.access}`);
      const env = readEnv(opts.home ? { ...process.env, PHOENIX_HOME: opts.home } : process.env);
      const apiKey = env.apiKey ?? readApiKey(homeLayout(env.home).apiKey);
      const token = await createKey(apiKey, {
        access: opts.access as KeyRequest['access'],
        collections: opts.collection ?? [],
        ttlMs: opts.ttl ? parseDuration(opts.ttl) : undefined,
        subject: opts.sub,
      });
      if (!opts.ttl) console.error('note: this token does not expire; revoke it by changing the API key (or give --ttl)');
      console.log(token);
    });
}

function readApiKey(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(`no API key: set PHOENIX_API_KEY or run phoenix up once (it writes ${file})`);
  }
}
