import type { FastifyInstance } from 'fastify';
import { ConflictError, ForbiddenError } from '../../../core/errors.js';
import { vectorIdentity } from '../../stacks/instances.js';
import { parseBody } from '../body.js';
import { callerName, requirePeer } from '../guards.js';
import type { HubServices } from '../services.js';
import { syncRequestSchema, tokenRequestSchema } from './wire.js';

/**
 * The agents' endpoints; only a client certificate with identity `spiffe://<td>/agent/<name>` gets in.
 * - `POST /api/agent/sync`: report what runs, get back what should run.
 * - `POST /api/agent/token`: a one-time CA token for a replica assigned to the calling agent.
 */
export function agentRoutes(app: FastifyInstance, s: HubServices): void {
  const onRequest = requirePeer(s.config.trustDomain, 'agent');

  app.post('/api/agent/sync', { onRequest }, async (request) => {
    const caller = callerName(request);
    const body = parseBody(syncRequestSchema, request.body, 'sync request');
    if (body.agent.name !== caller) {
      throw new ForbiddenError('HUB_AGENT_NAME_MISMATCH', `the sync names agent "${body.agent.name}" but the client certificate is agent "${caller}"`);
    }
    const desired = s.fleet.sync(body.agent, body.instances);
    return { instances: desired };
  });

  app.post('/api/agent/token', { onRequest }, async (request) => {
    const caller = callerName(request);
    const { instance } = parseBody(tokenRequestSchema, request.body, 'token request');
    const assigned = s.fleet.assignedAgent(instance);
    if (assigned !== caller) {
      throw new ForbiddenError('HUB_INSTANCE_NOT_ASSIGNED', `instance "${instance}" is not assigned to agent "${caller}"`);
    }
    const agent = s.fleet.agent(caller);
    if (!agent) throw new ConflictError('HUB_AGENT_UNKNOWN', `agent "${caller}" must sync before asking for tokens`);
    const identity = vectorIdentity(s.config.trustDomain, instance);
    const token = await s.tokens.mint(identity, agent.advertiseAddress);
    s.logger.info({ agent: caller, instance, identity }, 'replica token issued');
    return { token };
  });
}
