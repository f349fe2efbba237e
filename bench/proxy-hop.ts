/**
 * One hop of a benchmark chain, run as its own process (each Phoenix role is one process, and so is
 * each nginx and each node-http-proxy hop). Phoenix hops get their certificate from the parent's
 * test CA over the IPC channel. Argument: a JSON HopSpec. Reports `{ ready, port }` to the parent.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import type { AddressInfo } from 'node:net';
import httpProxy from 'http-proxy';
import { createLogger } from '../src/core/log.js';
import { TlsIdentity, type CertificateIssuer } from '../src/core/tls/index.js';
import type { SignedCertificate } from '../src/core/ca-client/index.js';
import { gatewayConfigSchema } from '../src/gateway/config.js';
import { startGateway } from '../src/gateway/main.js';
import { routerConfigSchema } from '../src/router/config.js';
import { startRouter } from '../src/router/main.js';

export type HopSpec =
  | { kind: 'phoenix-router'; port: number; trustDomain: string; rootPem: string; backendUrl: string; backendIdentity: string; accessLog: boolean }
  | { kind: 'phoenix-gateway'; port: number; trustDomain: string; rootPem: string; routerUrl: string; apiKey: string; accessLog: boolean }
  | { kind: 'http-proxy'; port: number; target: string; server: { cert: string; key: string; root: string }; requireClientCert: boolean; client: { cert: string; key: string; root: string } };

function ipcIssuer(rootPem: string): CertificateIssuer {
  let next = 0;
  const waiting = new Map<number, (s: SignedCertificate) => void>();
  process.on('message', (m: { type: string; id: number; signed: SignedCertificate }) => {
    if (m.type === 'signed') waiting.get(m.id)?.(m.signed);
  });
  const sign = (csrPem: string) =>
    new Promise<SignedCertificate>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      process.send?.({ type: 'sign', id, csr: csrPem });
    });
  return { rootPem, issue: (_key, csr) => sign(csr), renew: () => Promise.reject(new Error('no renewal in the benchmark')) };
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] as string) as HopSpec;
  const logger = createLogger(spec.kind, 'bench', { level: 'warn', file: `/dev/null` });
  let port: number;
  if (spec.kind === 'http-proxy') {
    const agent = new HttpsAgent({ keepAlive: true, maxSockets: 256, cert: readFileSync(spec.client.cert), key: readFileSync(spec.client.key), ca: readFileSync(spec.client.root) });
    const proxy = httpProxy.createProxyServer({ target: spec.target, agent, secure: true, changeOrigin: false });
    proxy.on('error', (_err, _req, res) => {
      const r = res as ServerResponse;
      if (!r.headersSent) r.writeHead(502);
      r.end();
    });
    const server = createHttpsServer(
      { cert: readFileSync(spec.server.cert), key: readFileSync(spec.server.key), ca: readFileSync(spec.server.root), requestCert: spec.requireClientCert, rejectUnauthorized: spec.requireClientCert },
      (req, res) => proxy.web(req, res),
    );
    server.keepAliveTimeout = 65_000;
    await new Promise<void>((r) => server.listen(spec.port, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  } else {
    const role = spec.kind === 'phoenix-router' ? 'router' : 'gateway';
    const identity = await TlsIdentity.obtain(
      { trustDomain: spec.trustDomain, role, name: 'bench', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] },
      ipcIssuer(spec.rootPem),
      { logger },
    );
    if (spec.kind === 'phoenix-router') {
      const handle = await startRouter(
        routerConfigSchema.parse({
          name: 'bench',
          trustDomain: spec.trustDomain,
          dataDir: '/tmp',
          listen: { port: spec.port },
          accessLog: spec.accessLog,
          providers: {
            static: {
              services: { qdrant: { servers: [{ url: spec.backendUrl, identity: spec.backendIdentity }] } },
              routers: { qdrant: { rule: 'PathPrefix(`/`)', service: 'qdrant' } },
            },
          },
        }),
        { identity, logger },
      );
      port = Number(new URL(handle.endpoints['api'] as string).port);
    } else {
      const handle = await startGateway(
        gatewayConfigSchema.parse({ name: 'bench', trustDomain: spec.trustDomain, dataDir: '/tmp', listen: { port: spec.port }, routerUrl: spec.routerUrl, apiKey: spec.apiKey, accessLog: spec.accessLog }),
        { identity, logger },
      );
      port = Number(new URL(handle.endpoints['api'] as string).port);
    }
  }
  process.send?.({ type: 'ready', port });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
