import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

/**
 * Stops accepting connections, closes idle keep-alive connections now, lets in-flight requests
 * finish for up to `graceMs`, then closes whatever is left.
 */
export function closeServer(server: Server | HttpsServer, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    force.unref();
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}
