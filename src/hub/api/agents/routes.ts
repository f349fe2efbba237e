import type { FastifyInstance } from 'fastify';
import { agentWire } from '../wire.js';
import type { HubServices } from '../services.js';

/** `GET /api/agents`: every agent with its host facts and last heartbeat (session scope). */
export function agentListRoutes(app: FastifyInstance, s: HubServices): void {
  app.get('/api/agents', async () => s.fleet.agents().map(agentWire));
}
