import Fastify, { type FastifyInstance } from 'fastify';
import type { TlsOptions } from 'node:tls';
import { BadRequestError } from '../../core/errors.js';
import type { HubMetrics } from '../metrics.js';
import { consoleRoutes } from '../ui/routes.js';
import { agentRoutes } from './agents/agent-endpoints.js';
import { agentListRoutes } from './agents/routes.js';
import { loginRoute, logoutRoute } from './auth/routes.js';
import { discoveryRoutes } from './discovery/routes.js';
import { requireSession } from './guards.js';
import { instanceRoutes } from './instances/routes.js';
import { errorHandler, notFoundHandler } from './problem.js';
import type { HubServices } from './services.js';
import { STACK_MEDIA_TYPES, stackRoutes } from './stacks/routes.js';
import { statusRoutes } from './status/routes.js';

const BODY_LIMIT = 1024 * 1024;

/**
 * The hub's one HTTPS listener: console, user API (session), agent API (agent certificates) and the
 * router's discovery feed (router certificates). Client certificates are optional at the TLS layer so
 * browsers get in; the agent and router endpoints check the verified identity themselves.
 */
export function createHubApp(s: HubServices, tls: TlsOptions, metrics: HubMetrics): FastifyInstance {
  const app = Fastify({
    https: tls,
    logger: false,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    forceCloseConnections: true,
  });

  app.setErrorHandler(errorHandler(s.logger));
  app.setNotFoundHandler(notFoundHandler);
  app.addContentTypeParser(STACK_MEDIA_TYPES, { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) => done(null, body));
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) => {
    const params = new URLSearchParams(String(body));
    const out: Record<string, string> = {};
    for (const [k, v] of params) {
      if (k in out) return done(new BadRequestError('HUB_BAD_REQUEST', `form field "${k}" given twice`), undefined);
      out[k] = v;
    }
    done(null, out);
  });
  app.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.requests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    s.logger.debug({ reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  consoleRoutes(app, s);
  loginRoute(app, s);
  logoutRoute(app, s);
  void app.register(async (scope) => {
    scope.addHook('onRequest', requireSession(s.accounts));
    stackRoutes(scope, s);
    instanceRoutes(scope, s);
    agentListRoutes(scope, s);
    statusRoutes(scope, s);
  });
  agentRoutes(app, s);
  discoveryRoutes(app, s);
  return app;
}
