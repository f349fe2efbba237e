import { request } from 'node:http';
import { AcmeError } from '../problem.js';
import type { Identifier } from '../records.js';
import { addressesOf, hostPort } from './key-authorization.js';

const MAX_BODY = 8 * 1024;

/**
 * http-01 (RFC 8555 §8.3): `GET http://<identifier>:<port>/.well-known/acme-challenge/<token>` must
 * answer 200 with the key authorization (surrounding whitespace ignored). Redirects are not followed.
 */
export async function validateHttp01(identifier: Identifier, token: string, expected: string, port: number, timeoutMs = 10_000): Promise<void> {
  const addresses = await addressesOf(identifier).catch((err: Error) => {
    throw new AcmeError('dns', `cannot resolve ${identifier.value}: ${err.message}`);
  });
  let lastError: AcmeError | undefined;
  for (const address of addresses) {
    try {
      const body = await fetchToken(address, identifier.value, port, token, timeoutMs);
      if (body.trim() !== expected) {
        throw new AcmeError('incorrectResponse', `http-01: ${hostPort(identifier.value, port)} answered ${JSON.stringify(body.slice(0, 100))}, expected the key authorization ${JSON.stringify(expected)}`);
      }
      return;
    } catch (err) {
      if (err instanceof AcmeError && err.acmeType !== 'connection') throw err;
      lastError = err instanceof AcmeError ? err : new AcmeError('connection', `http-01: cannot reach ${hostPort(address, port)}: ${(err as Error).message}`);
    }
  }
  throw lastError ?? new AcmeError('dns', `${identifier.value} resolves to no address`);
}

function fetchToken(address: string, host: string, port: number, token: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: address, port, path: `/.well-known/acme-challenge/${token}`, method: 'GET', headers: { host: hostPort(host, port), 'user-agent': 'phoenix-ca-acme' }, timeout: timeoutMs, agent: false },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new AcmeError('incorrectResponse', `http-01: ${hostPort(host, port)} answered HTTP ${res.statusCode} for the challenge token`));
          return;
        }
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_BODY) {
            req.destroy();
            reject(new AcmeError('incorrectResponse', `http-01: the answer from ${hostPort(host, port)} is larger than ${MAX_BODY} bytes`));
          }
        });
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => reject(new AcmeError('connection', `http-01: cannot reach ${hostPort(address, port)}: ${err.message}`)));
    req.end();
  });
}
