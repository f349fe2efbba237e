import { Agent, request } from 'undici';
import { CaRequestError, type CaEndpoint } from '../ca-client/client.js';
import { UnavailableError } from '../errors.js';

export interface ExternalAccountKey {
  kid: string;
  hmacKey: string;
}

/**
 * Trades a one-time token for an ACME external account binding key (`POST /1.0/eab`). The account
 * created with it may carry the token subject's SPIFFE URI in its certificates.
 */
export async function requestEabKey(endpoint: CaEndpoint, token: string, provisioner: string): Promise<ExternalAccountKey> {
  const agent = new Agent({ connect: { ca: endpoint.rootPem } });
  try {
    const res = await request(new URL('/1.0/eab', endpoint.url), {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ott: token, provisioner }),
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    }).catch((err: Error) => {
      throw new UnavailableError('CA_UNREACHABLE', `CA at ${endpoint.url} is unreachable: ${err.message}`, { cause: err });
    });
    const body = (await res.body.json().catch(() => ({}))) as { kid?: string; hmacKey?: string; message?: string };
    if (res.statusCode !== 201 || !body.kid || !body.hmacKey) {
      throw new CaRequestError(res.statusCode, `CA POST /1.0/eab failed (${res.statusCode}): ${body.message ?? 'no key in the answer'}`);
    }
    return { kid: body.kid, hmacKey: body.hmacKey };
  } finally {
    void agent.close();
  }
}
