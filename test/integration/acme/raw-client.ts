import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, FlattenedSign, generateKeyPair, type JWK } from 'jose';
import { Agent, request } from 'undici';

type Alg = 'ES256' | 'RS256' | 'EdDSA' | 'ES384';
type SigningKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface AcmeResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: Record<string, unknown>;
}

/**
 * A deliberately low-level ACME client for protocol tests: it signs exactly what it is told to, so
 * tests can replay, tamper and misaddress requests (real clients — lego, certbot, acme-client — are
 * used for the happy paths).
 */
export class RawAcme {
  private directory: Record<string, string> = {};
  readonly agent: Agent;
  kid: string | undefined;

  private constructor(
    readonly directoryUrl: string,
    rootPem: string,
    public alg: Alg,
    public key: SigningKey,
    public jwk: JWK,
  ) {
    this.agent = new Agent({ connect: { ca: rootPem } });
  }

  static async create(directoryUrl: string, rootPem: string, alg: Alg = 'ES256'): Promise<RawAcme> {
    const { key, jwk } = await newKey(alg);
    const client = new RawAcme(directoryUrl, rootPem, alg, key, jwk);
    const res = await client.get(directoryUrl);
    client.directory = res.json as Record<string, string>;
    return client;
  }

  url(name: 'newNonce' | 'newAccount' | 'newOrder' | 'revokeCert' | 'keyChange'): string {
    return this.directory[name] as string;
  }

  async thumbprint(): Promise<string> {
    return calculateJwkThumbprint(this.jwk, 'sha256');
  }

  async nonce(): Promise<string> {
    const res = await request(this.url('newNonce'), { method: 'HEAD', dispatcher: this.agent });
    await res.body.text();
    return String(res.headers['replay-nonce']);
  }

  /** A signed body (flattened JWS) for `url`; `payload` undefined means POST-as-GET. */
  async sign(url: string, payload: unknown, options: { useJwk?: boolean; nonce?: string; key?: SigningKey; jwk?: JWK; alg?: Alg; extraHeader?: Record<string, unknown> } = {}): Promise<string> {
    const header: Record<string, unknown> = { alg: options.alg ?? this.alg, url, nonce: options.nonce ?? (await this.nonce()), ...options.extraHeader };
    if (options.useJwk || !this.kid) header['jwk'] = options.jwk ?? this.jwk;
    else header['kid'] = this.kid;
    const bytes = new TextEncoder().encode(payload === undefined ? '' : JSON.stringify(payload));
    const jws = await new FlattenedSign(bytes).setProtectedHeader(header as never).sign(options.key ?? this.key);
    return JSON.stringify(jws);
  }

  async post(url: string, body: string): Promise<AcmeResponse> {
    const res = await request(url, { method: 'POST', dispatcher: this.agent, headers: { 'content-type': 'application/jose+json' }, body });
    return read(res);
  }

  async signedPost(url: string, payload: unknown, options: Parameters<RawAcme['sign']>[2] = {}): Promise<AcmeResponse> {
    return this.post(url, await this.sign(url, payload, options));
  }

  async get(url: string): Promise<AcmeResponse> {
    return read(await request(url, { dispatcher: this.agent }));
  }

  async newAccount(extra: Record<string, unknown> = {}): Promise<AcmeResponse> {
    const res = await this.signedPost(this.url('newAccount'), { termsOfServiceAgreed: true, ...extra }, { useJwk: true });
    if (res.status === 201 || res.status === 200) this.kid = String(res.headers['location']);
    return res;
  }

  async keyAuthorization(token: string): Promise<string> {
    return `${token}.${await this.thumbprint()}`;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

export async function newKey(alg: Alg): Promise<{ key: SigningKey; jwk: JWK }> {
  const pair = await generateKeyPair(alg === 'EdDSA' ? 'Ed25519' : alg, { extractable: true });
  const jwk = await exportJWK(pair.publicKey);
  return { key: pair.privateKey, jwk };
}

async function read(res: Awaited<ReturnType<typeof request>>): Promise<AcmeResponse> {
  const text = await res.body.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  return { status: res.statusCode, headers: res.headers as AcmeResponse['headers'], text, json };
}

export function dnsTxtValue(keyAuthorization: string): string {
  return createHash('sha256').update(keyAuthorization).digest('base64url');
}
