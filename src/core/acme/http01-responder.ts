import { createServer, type Server } from 'node:http';
import { sleep } from '../lifecycle.js';

/**
 * A plain-HTTP responder for http-01 challenges that exists only while an order is validated:
 * opened on the role's own challenge port, answering `/.well-known/acme-challenge/<token>` with
 * the key authorization, closed right after. If the port is busy (another process on this host
 * mid-validation), binding is retried for `bindRetryMs` before giving up.
 */
export class Http01Responder {
  private readonly tokens = new Map<string, string>();

  private constructor(private readonly server: Server) {}

  static async open(port: number, host: string | undefined, bindRetryMs = 10_000): Promise<Http01Responder> {
    const deadline = Date.now() + bindRetryMs;
    for (;;) {
      const responder = new Http01Responder(
        createServer((req, res) => {
          const m = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
          const value = m ? responder.tokens.get(m[1] as string) : undefined;
          if (req.method !== 'GET' || value === undefined) {
            res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
            return;
          }
          res.writeHead(200, { 'content-type': 'text/plain' }).end(value);
        }),
      );
      try {
        await new Promise<void>((resolve, reject) => {
          responder.server.once('error', reject);
          responder.server.listen({ port, ...(host ? { host } : {}), exclusive: true }, () => resolve());
        });
        return responder;
      } catch (err) {
        if ((err as { code?: string }).code !== 'EADDRINUSE' || Date.now() >= deadline) {
          throw new Error(`cannot open the http-01 responder on port ${port}: ${(err as Error).message}`);
        }
        await sleep(100 + Math.random() * 200);
      }
    }
  }

  set(token: string, keyAuthorization: string): void {
    this.tokens.set(token, keyAuthorization);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
