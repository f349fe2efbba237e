import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type PeerCertificate } from 'node:tls';
import { Agent, request } from 'undici';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { loadProvisionerKey, mintToken, type CaEndpoint, type ProvisionerKey } from '../../../src/core/ca-client/index.js';
import { caConfigSchema, type CaConfigInput } from '../../../src/pki/config.js';
import { startCa, type CaHandle } from '../../../src/pki/main.js';
import { readBody } from '../../helpers/json-body.js';

export const TRUST_DOMAIN = 'phoenix.test';

/** A real CA (startCa) on port 0 in a temp directory, restartable on the same directory. */
export class CaUnderTest {
  private constructor(
    readonly dir: string,
    private readonly input: CaConfigInput,
    public handle: CaHandle,
  ) {}

  static async start(overrides: Partial<CaConfigInput> = {}): Promise<CaUnderTest> {
    const dir = mkdtempSync(join(tmpdir(), 'phoenix-ca-it-'));
    const input: CaConfigInput = { name: 'ca1', trustDomain: TRUST_DOMAIN, dataDir: join(dir, 'ca'), listen: { port: 0 }, ...overrides };
    return new CaUnderTest(dir, input, await startCa(validateConfig(caConfigSchema, input, 'ca'), { logger: silentLogger() }));
  }

  get url(): string {
    return this.handle.endpoints.api as string;
  }

  get endpoint(): CaEndpoint {
    return { url: this.url, rootPem: this.handle.rootPem };
  }

  get provisioner(): ProvisionerKey {
    return loadProvisionerKey(this.handle.provisionerKeyFile);
  }

  token(subject: string, sans: readonly string[]): Promise<string> {
    return mintToken(this.provisioner, { subject, sans, caUrl: this.url });
  }

  /** Stops the CA and starts it again on the same data directory (new port). */
  async restart(): Promise<void> {
    await this.handle.close();
    this.handle = await startCa(validateConfig(caConfigSchema, this.input, 'ca'), { logger: silentLogger() });
  }

  async close(): Promise<void> {
    await this.handle.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** A raw HTTPS request to the CA (no client certificate), for status codes and bodies. */
  async raw(method: 'GET' | 'POST', path: string, options: { body?: string; contentType?: string } = {}): Promise<{ status: number; type: string; text: string; json: unknown }> {
    const agent = new Agent({ connect: { ca: this.handle.rootPem } });
    try {
      const res = await request(new URL(path, this.url), {
        method,
        dispatcher: agent,
        ...(options.body !== undefined ? { body: options.body, headers: { 'content-type': options.contentType ?? 'application/json' } } : {}),
      });
      const { text, json } = await readBody(res);
      return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), text, json };
    } finally {
      await agent.close();
    }
  }

  /** A raw HTTPS request with extra headers (no body). */
  async rawWithHeaders(method: 'GET' | 'POST', path: string, headers: Record<string, string>): Promise<{ status: number; text: string; json: unknown }> {
    const agent = new Agent({ connect: { ca: this.handle.rootPem } });
    try {
      const res = await request(new URL(path, this.url), { method, dispatcher: agent, headers });
      const { text, json } = await readBody(res);
      return { status: res.statusCode, text, json };
    } finally {
      await agent.close();
    }
  }

  /** The certificate the CA's listener presents, and whether it verified against the root. */
  serverCertificate(): Promise<{ authorized: boolean; cert: PeerCertificate }> {
    const port = Number(new URL(this.url).port);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', ca: this.handle.rootPem }, () => {
        resolve({ authorized: socket.authorized, cert: socket.getPeerCertificate() });
        socket.end();
      });
      socket.on('error', reject);
    });
  }
}
