import type { FastifyInstance } from 'fastify';
import { routedServices } from '../../stacks/instances.js';
import { callerName, requirePeer } from '../guards.js';
import type { HubServices } from '../services.js';

/**
 * `GET /api/discovery` for routers (client identity `spiffe://<td>/router/*`): every service of every
 * stack with its routing labels, health check and the replicas that are running now. A full snapshot
 * each time; routers poll it.
 */
export function discoveryRoutes(app: FastifyInstance, s: HubServices): void {
  app.get('/api/discovery', { onRequest: requirePeer(s.config.trustDomain, 'router') }, async (request) => {
    s.routers.seen(callerName(request));
    const backends = s.fleet.backends();
    const services = routedServices(s.stacks.all().map((c) => c.stack)).map((svc) => ({
      ...svc,
      backends: backends.get(`${svc.stack}/${svc.name}`) ?? [],
    }));
    return { services };
  });
}
