import { createHash, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Agent, request } from 'undici';
import { errorMessage } from '../core/errors.js';
import type { PhoenixEnv } from './env.js';
import { homeLayout } from './paths.js';
import { readState } from './state.js';

/**
 * The CLI's connection to a hub: where it is, which root to trust, and the session from
 * `phoenix login`, kept in `$PHOENIX_HOME/cli/hub-login.json` (0600).
 */
export interface HubLogin {
  hub: string;
  rootPem: string;
  token: string;
  username: string;
  role: string;
  expiresAt: string;
}

export class HubCallError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { code?: string; detail?: string; errors?: Array<{ line?: number; column?: number; path: string; message: string }> },
  ) {
    super(problem.detail ?? `the hub answered ${status}`);
  }
}

export function loginFile(env: PhoenixEnv): string {
  return join(env.home, 'cli', 'hub-login.json');
}

/** The hub of the platform `phoenix up` runs in $PHOENIX_HOME, if any. */
export function localHub(env: PhoenixEnv): { hub: string; rootPem: string } | undefined {
  const paths = homeLayout(env.home);
  const hub = readState(paths.state)?.roles['hub']?.api;
  if (!hub || !existsSync(paths.rootCert)) return undefined;
  return { hub, rootPem: readFileSync(paths.rootCert, 'utf8') };
}

export function saveLogin(env: PhoenixEnv, login: HubLogin): string {
  const file = loginFile(env);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

export function readLogin(env: PhoenixEnv): HubLogin {
  const file = loginFile(env);
  let login: HubLogin;
  try {
    login = JSON.parse(readFileSync(file, 'utf8')) as HubLogin;
  } catch {
    throw new Error(`not logged in to a hub (no ${file}); run: phoenix login`);
  }
  if (Date.parse(login.expiresAt) <= Date.now()) throw new Error(`the hub session of ${login.username} expired at ${login.expiresAt}; run: phoenix login`);
  return login;
}

/** SHA-256 of the first certificate of a PEM bundle, hex (what `phoenix ca fingerprint` prints). */
export function fingerprintOf(pem: string): string {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!first) throw new Error('not a PEM certificate');
  return createHash('sha256').update(new X509Certificate(first).raw).digest('hex');
}

/** One JSON (or YAML-bodied) call to the hub, trusting `rootPem`; problems become HubCallError. */
export async function hubCall<T>(
  target: { hub: string; rootPem: string | null; token?: string },
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  yaml = false,
): Promise<T> {
  const dispatcher = new Agent({ connect: target.rootPem === null ? { rejectUnauthorized: false } : { ca: target.rootPem } });
  try {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (target.token) headers['authorization'] = `Bearer ${target.token}`;
    if (body !== undefined) headers['content-type'] = yaml ? 'application/yaml' : 'application/json';
    let res;
    try {
      res = await request(new URL(path, target.hub), {
        method,
        dispatcher,
        headers,
        ...(body !== undefined ? { body: yaml ? String(body) : JSON.stringify(body) } : {}),
        headersTimeout: 30_000,
        bodyTimeout: 30_000,
      });
    } catch (err) {
      throw new Error(`cannot reach the hub at ${target.hub}: ${errorMessage(err)}`);
    }
    const text = await res.body.text();
    const json = text ? (JSON.parse(text) as unknown) : undefined;
    if (res.statusCode >= 400) throw new HubCallError(res.statusCode, (json ?? {}) as HubCallError['problem']);
    return json as T;
  } finally {
    await dispatcher.close();
  }
}
