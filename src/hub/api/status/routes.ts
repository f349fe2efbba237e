import { platformStatus } from '../../status.js';
import { discoveryFeed } from '../discovery/routes.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { instanceWire, roleWire, rolloutWire, stackSummaryWire } from '../wire.js';

/** Platform status and the router view. */
export function statusEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/status',
      summary: 'Every role’s health, the stacks and their instances, rolling updates in progress',
      tag: 'monitoring',
      access: 'viewer',
      handler: async () => {
        const status = platformStatus({ hubName: s.config.name, peers: s.peers, routers: s.routers, fleet: s.fleet, stacks: s.stacks });
        return {
          hub: { name: s.config.name, version: s.version },
          roles: status.roles.map(roleWire),
          stacks: status.stacks.map(stackSummaryWire),
          instances: status.instances.map(instanceWire),
          rollouts: s.rollouts.active().map(rolloutWire),
        };
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/router',
      summary: 'Router view: the routes and services the routers get, each backend with its health, and the routers polling',
      tag: 'monitoring',
      access: 'viewer',
      handler: async () => {
        const feed = discoveryFeed(s);
        const instances = new Map(s.fleet.instances().map((i) => [i.id, i]));
        return {
          routers: s.routers.statuses().map(roleWire),
          services: feed.services.map((svc) => ({
            ...svc,
            rule: [svc.hosts.length > 0 ? `Host(${svc.hosts.map((h) => `\`${h}\``).join(', ')})` : null, svc.default ? 'default route' : null].filter(Boolean).join(' + ') || 'not routed (no host label)',
            instances: [...instances.values()]
              .filter((i) => i.stack === svc.stack && i.service === svc.name)
              .map((i) => ({ id: i.id, agent: i.agent, state: i.state, health: i.health, healthDetail: i.healthDetail, routed: i.routed, draining: i.draining, retiring: i.retiring, url: i.url })),
          })),
        };
      },
    }),
  );
}
