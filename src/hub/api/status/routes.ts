import type { FastifyInstance } from 'fastify';
import { platformStatus } from '../../status.js';
import { instanceWire, roleWire, stackSummaryWire } from '../wire.js';
import type { HubServices } from '../services.js';

/** `GET /api/status`: every role's health, the stacks and their instances. */
export function statusRoutes(app: FastifyInstance, s: HubServices): void {
  app.get('/api/status', async () => {
    const status = platformStatus({ hubName: s.config.name, peers: s.peers, routers: s.routers, fleet: s.fleet, stacks: s.stacks });
    return { roles: status.roles.map(roleWire), stacks: status.stacks.map(stackSummaryWire), instances: status.instances.map(instanceWire) };
  });
}
