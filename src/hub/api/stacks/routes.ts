import type { FastifyInstance } from 'fastify';
import { UnsupportedMediaTypeError } from '../../errors.js';
import { stackWire } from '../wire.js';
import type { HubServices } from '../services.js';

/** Media types a stack file may be sent as. */
export const STACK_MEDIA_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'];

/** `GET /api/stacks`, `GET /api/stacks/:name`, `PUT /api/stacks/:name` (YAML body). */
export function stackRoutes(app: FastifyInstance, s: HubServices): void {
  app.get('/api/stacks', async () => s.stacks.all().map(stackWire));

  app.get<{ Params: { name: string } }>('/api/stacks/:name', async (request) => stackWire(s.stacks.get(request.params.name)));

  app.put<{ Params: { name: string } }>('/api/stacks/:name', async (request) => {
    if (typeof request.body !== 'string') {
      throw new UnsupportedMediaTypeError('send the stack file as YAML text (content-type: application/yaml or text/plain)');
    }
    const { current, created } = s.stacks.put(request.params.name, request.body);
    if (created) s.logger.info({ stack: current.version.name, version: current.version.version }, 'stack version stored');
    return stackWire(current);
  });
}
