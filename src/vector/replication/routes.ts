import { createReadStream } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ForbiddenError } from '../../core/errors.js';
import { peerIdentity, type SpiffeId } from '../../core/tls/index.js';
import { parseBody } from '../api/body.js';
import { encodeFetchAnswer, FETCH_MEDIA_TYPE } from './peer-client.js';
import type { Replica } from './replica.js';
import { assignmentSchema, fetchRequestSchema } from './wire.js';

/** Replication traffic is constant (long polls, assignments every sync): its requests are not logged one by one. */
const QUIET = { logLevel: 'warn' as const };

/** The verified identity of the caller, when it has the role asked for. */
function caller(request: FastifyRequest, trustDomain: string, role: 'agent' | 'vector'): SpiffeId {
  const id = peerIdentity(request.raw.socket as TLSSocket);
  if (!id || id.trustDomain !== trustDomain || id.role !== role) {
    throw new ForbiddenError('VECTOR_REPLICATION_FORBIDDEN', `Forbidden: ${request.url.split('?')[0]} is for ${role} identities only`);
  }
  return id;
}

/**
 * The replication endpoints of a replica, beside the Qdrant API on the same mTLS listener:
 * - for the agent on its host (`agent/*`): `PUT /phoenix/replication/assignment` (role, epoch,
 *   leader, members, from the hub's controller; answers the status) and `GET …/status`;
 * - for fellow replicas (`vector/*`): `POST …/fetch` (a follower's long-polled fetch),
 *   `GET …/snapshot` (the leader's snapshot for a resync), `GET …/commit` (its log end).
 */
export function replicationRoutes(app: FastifyInstance, replica: Replica, trustDomain: string): void {
  app.put('/phoenix/replication/assignment', QUIET, async (request, reply) => {
    caller(request, trustDomain, 'agent');
    const assignment = parseBody(assignmentSchema, request.body);
    return reply.type('application/json').send(await replica.assign(assignment));
  });

  app.get('/phoenix/replication/status', QUIET, async (request, reply) => {
    caller(request, trustDomain, 'agent');
    return reply.type('application/json').send(replica.status());
  });

  app.post('/phoenix/replication/fetch', QUIET, async (request, reply) => {
    const peer = caller(request, trustDomain, 'vector');
    const body = parseBody(fetchRequestSchema, request.body);
    const answer = await replica.fetch(peer.name, body);
    return reply.type(FETCH_MEDIA_TYPE).send(encodeFetchAnswer(answer.header, answer.records));
  });

  app.get('/phoenix/replication/snapshot', QUIET, async (request, reply) => {
    caller(request, trustDomain, 'vector');
    const transfer = await replica.transferSnapshot();
    const stream = createReadStream(transfer.file);
    stream.once('close', transfer.done);
    return reply.type('application/x-tar').send(stream);
  });

  app.get('/phoenix/replication/commit', QUIET, async (request, reply) => {
    caller(request, trustDomain, 'vector');
    return reply.type('application/json').send(replica.commit());
  });
}

/**
 * Who may call what on a replica's listener: agents reach only the replication admin endpoints,
 * routers only the Qdrant API; fellow replicas both (forwarded requests and the log).
 */
export function guardRoles(app: FastifyInstance, trustDomain: string): void {
  app.addHook('onRequest', async (request) => {
    const id = peerIdentity(request.raw.socket as TLSSocket);
    if (!id || id.trustDomain !== trustDomain) return; // the TLS guard already refused strangers
    const admin = request.url.startsWith('/phoenix/');
    if (id.role === 'agent' && !admin) throw new ForbiddenError('VECTOR_FORBIDDEN', 'Forbidden: agent identities reach only /phoenix/replication/*');
    if (id.role === 'router' && admin) throw new ForbiddenError('VECTOR_FORBIDDEN', 'Forbidden: /phoenix/replication/* is not for routers');
  });
}
