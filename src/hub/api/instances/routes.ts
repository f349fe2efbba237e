import type { FastifyInstance } from 'fastify';
import { instanceWire } from '../wire.js';
import type { HubServices } from '../services.js';

/** `GET /api/instances`: desired instances with what their agents report, and strays being stopped. */
export function instanceRoutes(app: FastifyInstance, s: HubServices): void {
  app.get('/api/instances', async () => s.fleet.instances().map(instanceWire));
}
