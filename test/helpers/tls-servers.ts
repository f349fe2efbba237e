import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { guardTlsServer, IdentityPolicy, serverTlsOptions, type TlsIdentity } from '../../src/core/tls/index.js';
import { silentLogger } from '../../src/core/log.js';
import { closeServer } from '../../src/core/http.js';

export interface TestServer {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** An mTLS server holding `identity`, admitting only `allowRoles`, answering with `handler`. */
export async function startMtlsServer(
  identity: TlsIdentity,
  allowRoles: string[],
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<TestServer> {
  const server = createServer(serverTlsOptions(identity, 'required'), handler);
  guardTlsServer(server, { identity, policy: IdentityPolicy.roles(identity.id.trustDomain, ...allowRoles), logger: silentLogger() });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const p = (server.address() as AddressInfo).port;
  return { url: `https://127.0.0.1:${p}`, port: p, server, close: () => closeServer(server, 100) };
}
