import { Agent, request } from 'undici';
import { PhoenixError, UnavailableError } from '../errors.js';

/**
 * The client side of the CA's REST API (step-ca compatible shapes):
 * - `POST /1.0/sign`  `{csr, ott}` → `{crt, ca, certChain}`
 * - `POST /1.0/renew` over mTLS with the current certificate → `{crt, ca, certChain}`
 * - `GET /roots.pem`, `GET /health`
 * Errors come back as `{status, message}`.
 */
export interface SignedCertificate {
  /** Leaf certificate, PEM. */
  crt: string;
  /** Issuing (intermediate) certificate, PEM. */
  ca: string;
  /** Leaf first, then intermediates; what a TLS server or client presents. */
  certChain: string[];
}

export class CaRequestError extends PhoenixError {
  constructor(status: number, message: string) {
    super('CA_REQUEST_FAILED', status, message);
  }
}

export interface CaEndpoint {
  /** Base URL, e.g. `https://localhost:9000`. */
  url: string;
  /** Root certificate(s) to trust for the CA's own TLS certificate, PEM. */
  rootPem: string;
}

async function call(
  endpoint: CaEndpoint,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  clientCert?: { keyPem: string; certChainPem: string },
): Promise<unknown> {
  const agent = new Agent({
    connect: {
      ca: endpoint.rootPem,
      ...(clientCert ? { key: clientCert.keyPem, cert: clientCert.certChainPem } : {}),
    },
  });
  try {
    const res = await request(new URL(path, endpoint.url), {
      method,
      dispatcher: agent,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let message = text;
      try {
        const parsed = JSON.parse(text) as { message?: string; detail?: string };
        message = parsed.message ?? parsed.detail ?? text;
      } catch {
        /* plain text error */
      }
      throw new CaRequestError(res.statusCode, `CA ${method} ${path} failed (${res.statusCode}): ${message}`);
    }
    const type = String(res.headers['content-type'] ?? '');
    return type.includes('json') ? JSON.parse(text) : text;
  } catch (err) {
    if (err instanceof PhoenixError) throw err;
    throw new UnavailableError('CA_UNREACHABLE', `CA at ${endpoint.url} is unreachable: ${(err as Error).message}`, { cause: err });
  } finally {
    void agent.close();
  }
}

function asSigned(value: unknown): SignedCertificate {
  const v = value as Partial<SignedCertificate>;
  if (typeof v?.crt !== 'string' || typeof v.ca !== 'string' || !Array.isArray(v.certChain)) {
    throw new CaRequestError(502, 'CA answered without a certificate');
  }
  return { crt: v.crt, ca: v.ca, certChain: v.certChain };
}

/** Exchanges a one-time token and a CSR for a certificate. */
export async function signCertificate(endpoint: CaEndpoint, csrPem: string, token: string): Promise<SignedCertificate> {
  return asSigned(await call(endpoint, 'POST', '/1.0/sign', { csr: csrPem, ott: token }));
}

/** Renews the certificate presented over mTLS (same key, new validity). */
export async function renewCertificate(endpoint: CaEndpoint, keyPem: string, certChainPem: string): Promise<SignedCertificate> {
  return asSigned(await call(endpoint, 'POST', '/1.0/renew', undefined, { keyPem, certChainPem }));
}

export async function fetchRoots(endpoint: CaEndpoint): Promise<string> {
  return String(await call(endpoint, 'GET', '/roots.pem', undefined));
}

export async function caHealthy(endpoint: CaEndpoint): Promise<boolean> {
  try {
    const body = (await call(endpoint, 'GET', '/health', undefined)) as { status?: string };
    return body.status === 'ok';
  } catch {
    return false;
  }
}
