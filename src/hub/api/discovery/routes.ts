import type { TLSSocket } from 'node:tls';
import { routedServices } from '../../stacks/instances.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

/**
 * The routers' discovery feed: every service of every stack with its routing labels, health check
 * and the replicas that serve now. A full snapshot each time; routers poll it.
 * - `backends`: Phoenix replicas, reached over mTLS and checked by their SPIFFE identity.
 * - `external`: endpoints of runtime `external` (real Qdrant nodes), each with the CA bundle that
 *   signs it (and the name to check), since they have no Phoenix identity.
 */
export function discoveryFeed(s: HubServices) {
  const { internal, external } = s.fleet.backends();
  return {
    services: routedServices(s.stacks.all().map((c) => c.stack)).map((svc) => ({
      ...svc,
      backends: internal.get(`${svc.stack}/${svc.name}`) ?? [],
      external: external.get(`${svc.stack}/${svc.name}`) ?? [],
    })),
  };
}

export function discoveryEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/discovery',
      summary: 'Discovery feed for routers: services, routing, health checks, serving replicas',
      tag: 'agent protocol',
      access: 'router',
      handler: async ({ peer, request }) => {
        s.routers.seen(peer.name);
        s.certificates.record(request.raw.socket as TLSSocket);
        return discoveryFeed(s);
      },
    }),
  );
}
