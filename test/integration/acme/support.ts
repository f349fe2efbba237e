import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CaUnderTest } from '../pki/support.js';
import type { CaConfigInput } from '../../../src/pki/config.js';
import { freePort } from '../../../src/core/free-port.js';
export { freePort } from '../../../src/core/free-port.js';

export interface AcmeCa {
  ca: CaUnderTest;
  /** `https://localhost:<port>/acme/acme/directory` */
  directory: string;
  /** The root certificate written to a file (the only trust the ACME clients get). */
  rootFile: string;
  ports: { http01: number; tlsAlpn01: number };
}

/** A real CA whose `acme` provisioner validates on free ports that the ACME client will listen on. */
export async function startAcmeCa(overrides: Partial<CaConfigInput> = {}, provisioner: Record<string, unknown> = {}): Promise<AcmeCa> {
  const ports = { http01: await freePort(), tlsAlpn01: await freePort() };
  const ca = await CaUnderTest.start({ acme: [{ name: 'acme', challengePorts: ports, ...provisioner }], ...overrides });
  const rootFile = join(ca.dir, 'root.pem');
  writeFileSync(rootFile, ca.handle.rootPem);
  return { ca, directory: `${ca.url}/acme/acme/directory`, rootFile, ports };
}

export interface ToolResult {
  code: number | null;
  out: string;
}

/** Runs a command with a clean proxy-free environment plus `env`; kills it after `timeoutMs`. */
export function runTool(command: string, args: string[], env: Record<string, string>, timeoutMs = 60_000): Promise<ToolResult> {
  const base = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'REQUESTS_CA_BUNDLE', 'SSL_CERT_FILE', 'LEGO_CA_CERTIFICATES']) delete base[k];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}
