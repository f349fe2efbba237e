import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer } from '../core/http.js';
import type { ReverseProxy } from './reverse-proxy.js';

/**
 * The read-only status API of a proxy role, on its own plain-HTTP listener bound to loopback by
 * default (like Traefik's API entrypoint): `GET /api/status` (routers, services, backends with
 * health, middlewares, disabled items), `GET /metrics` (Prometheus text), `GET /healthz`.
 * Anything else is 404; nothing can be changed here.
 */
export async function startStatusListener(proxy: ReverseProxy, listen: { host: string; port: number }): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('read-only: GET only\n');
      return;
    }
    if (path === '/api/status') {
      const body = JSON.stringify(proxy.status());
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    } else if (path === '/metrics') {
      proxy.metrics.registry.metrics().then(
        (text) => res.writeHead(200, { 'content-type': proxy.metrics.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
      );
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /api/status or /metrics\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return { url: `http://${host}:${port}`, close: () => closeServer(server, 100) };
}
