import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { request as send } from 'undici';
import { errorMessage } from '../../core/errors.js';
import { sleep } from '../../core/lifecycle.js';
import { QueryParamError } from '../errors.js';
import { ReplicationUnavailableError } from './errors.js';
import type { PeerClient } from './peer-client.js';
import type { Replica } from './replica.js';
import type { PeerRef } from './state.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The request body as received (forwarded unchanged to the leader). */
    rawBody?: string | Buffer;
  }
}

/** Every route that changes data: served by the leader, forwarded there from any other replica. */
const WRITES = new Set([
  'PUT /collections/:name',
  'PATCH /collections/:name',
  'DELETE /collections/:name',
  'PUT /collections/:name/vectors/:vector',
  'DELETE /collections/:name/vectors/:vector',
  'PUT /collections/:name/index',
  'DELETE /collections/:name/index/:field',
  'POST /collections/aliases',
  'PUT /collections/:name/snapshots/recover',
  'POST /collections/:name/snapshots/upload',
  'PUT /collections/:name/shards/:shard/snapshots/recover',
  'POST /collections/:name/shards/:shard/snapshots/upload',
  ...POINT_WRITES(),
]);

/** Point writes: applying one twice has the effect of once, so a forward cut off mid-way is retried. */
function POINT_WRITES(): string[] {
  return [
    'PUT /collections/:name/points',
    'POST /collections/:name/points/delete',
    'PUT /collections/:name/points/vectors',
    'POST /collections/:name/points/vectors/delete',
    'POST /collections/:name/points/batch',
    'POST /collections/:name/points/payload',
    'PUT /collections/:name/points/payload',
    'POST /collections/:name/points/payload/delete',
    'POST /collections/:name/points/payload/clear',
  ];
}
const RETRYABLE = new Set(POINT_WRITES());

export function isWriteRoute(method: string, url: string | undefined): boolean {
  return url !== undefined && WRITES.has(`${method} ${url}`);
}

/** Reads of data (collections, points, aliases); snapshots stay local to each replica. */
function isDataRead(url: string): boolean {
  return (url.startsWith('/collections') || url === '/aliases') && !url.includes('/snapshot');
}

/**
 * Qdrant's read `consistency` (`all`, `majority`, `quorum`, or a number of replicas). Above one,
 * the replica first catches up with the leader's log (read-your-writes), then answers.
 */
export function needsCatchUp(raw: unknown): boolean {
  if (raw === undefined || raw === '') return false;
  const v = String(raw);
  if (v === 'all' || v === 'majority' || v === 'quorum') return true;
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    if (n < 1) throw new QueryParamError('consistency factor must be 1 or larger');
    return n > 1;
  }
  throw new QueryParamError(`data did not match any variant of untagged enum ReadConsistency: expected a number or one of \`majority\`, \`quorum\`, \`all\`, got \`${v}\``);
}

/**
 * Makes any replica accept any request: writes go to the leader (forwarded over mTLS with the
 * answer returned unchanged) and reads are answered here, except by a replica that is not in sync
 * (forwarded to the leader) or when `consistency` asks for read-your-writes (catch up first).
 */
export function routeRequests(app: FastifyInstance, replica: Replica, client: PeerClient): void {
  app.addHook('preHandler', async (request, reply) => {
    const url = request.routeOptions.url;
    if (url === undefined || url.startsWith('/phoenix/')) return;
    if (isWriteRoute(request.method, url)) {
      await forwardWrite(request, reply, replica, client);
      return;
    }
    if (!isDataRead(url)) return;
    const catchUp = needsCatchUp((request.query as Record<string, unknown>).consistency);
    const target = await replica.readTarget();
    if (target !== 'local') {
      try {
        await forward(request, reply, target, client);
        return;
      } catch (err) {
        request.log.warn({ err: errorMessage(err), leader: target.id }, 'leader unreachable for a read: answering from this replica');
      }
    }
    if (catchUp) await replica.catchUp();
  });
}

/**
 * Sends a write to the leader, waiting through an election; returns without sending anything when
 * this replica is (or became) the leader, so the route handler applies it here.
 */
export async function forwardWrite(request: FastifyRequest, reply: FastifyReply, replica: Replica, client: PeerClient): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (let attempt = 0; ; attempt++) {
    const target = await replica.writeTarget();
    if (target === 'local') return;
    try {
      await forward(request, reply, target, client);
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      const notSent = code === 'ECONNREFUSED' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH';
      const retry = (notSent || RETRYABLE.has(`${request.method} ${request.routeOptions.url}`)) && Date.now() < deadline;
      request.log.warn({ err: errorMessage(err), code, leader: target.id, attempt, retry }, 'forwarding a write to the leader failed');
      if (!retry) throw new ReplicationUnavailableError(`the leader ${target.id} could not be reached: ${errorMessage(err)}`);
      await sleep(Math.min(1000, 100 * 2 ** attempt));
    }
  }
}

async function forward(request: FastifyRequest, reply: FastifyReply, leader: PeerRef, client: PeerClient): Promise<void> {
  const hops = Number(request.headers['x-phoenix-hops'] ?? 0);
  if (!Number.isFinite(hops) || hops >= 2) throw new ReplicationUnavailableError('the request was forwarded between replicas without reaching the leader');
  const headers: Record<string, string> = { 'x-phoenix-hops': String(hops + 1), 'x-request-id': request.id, 'x-phoenix-forwarded-by': 'replica' };
  for (const h of ['content-type', 'traceparent', 'tracestate']) {
    const v = request.headers[h];
    if (typeof v === 'string') headers[h] = v;
  }
  const res = await send(`${leader.url}${request.url}`, {
    method: request.method as 'POST',
    headers,
    body: request.rawBody ?? null,
    dispatcher: client.dispatcher(leader),
    headersTimeout: 300_000,
    bodyTimeout: 300_000,
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  reply.code(res.statusCode);
  const type = res.headers['content-type'];
  if (typeof type === 'string') reply.type(type);
  reply.header('x-phoenix-served-by', String(res.headers['x-phoenix-served-by'] ?? leader.id));
  await reply.send(body);
}
