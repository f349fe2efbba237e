import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port free on `host` right now: the kernel picks it and we release it at once, for a process
 * started next to bind (ports fixed before start, challenge listeners, benchmark chains).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
