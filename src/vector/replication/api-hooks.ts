import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Mutator } from './mutator.js';
import type { Replica } from './replica.js';
import { forwardWrite, routeRequests } from './request-routing.js';
import { guardRoles, replicationRoutes } from './routes.js';

/** What the API needs from replication: the write seam, readiness, and its routes and hooks. */
export interface ApiReplication {
  mutator: Mutator;
  ready(): { ready: boolean; detail: string };
  register(app: FastifyInstance): void;
  /** A write reached its handler on a replica that is not the leader (any more): send it there. */
  redirect(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

export function apiReplication(replica: Replica, trustDomain: string): ApiReplication {
  return {
    mutator: replica,
    ready: () => replica.ready(),
    register(app) {
      guardRoles(app, trustDomain);
      routeRequests(app, replica, replica.peers);
      replicationRoutes(app, replica, trustDomain);
    },
    redirect: (request, reply) => forwardWrite(request, reply, replica, replica.peers),
  };
}
