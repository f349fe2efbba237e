import Fastify, { type FastifyInstance } from 'fastify';
import type { TlsOptions } from 'node:tls';
import { BadRequestError } from '../../core/errors.js';
import type { HubMetrics } from '../metrics.js';
import { consoleFiles } from '../ui/static.js';
import { agentEndpoints } from './agents/agent-endpoints.js';
import { auditEndpoints } from './audit/routes.js';
import { authEndpoints } from './auth/routes.js';
import { certificateEndpoints } from './certificates/routes.js';
import { discoveryEndpoints } from './discovery/routes.js';
import { environmentEndpoints } from './environments/routes.js';
import { DROP_AFTER_RESPONSE, hubGuards } from './guards.js';
import { instanceEndpoints } from './instances/routes.js';
import { metaEndpoints } from './meta/routes.js';
import { metricsEndpoints } from './monitoring/routes.js';
import { errorHandler, notFoundHandler } from './problem.js';
import { ApiRegistry } from './registry.js';
import { replicationEndpoints } from '../replication/routes.js';
import type { HubServices } from './services.js';
import { STACK_MEDIA_TYPES, stackEndpoints } from './stacks/routes.js';
import { statusEndpoints } from './status/routes.js';
import { tokenEndpoints } from './tokens/routes.js';
import { userEndpoints } from './users/routes.js';
import { webhookEndpoints } from './webhooks/routes.js';

const BODY_LIMIT = 1024 * 1024;

/** Every API endpoint of the hub, declared once (also the source of the OpenAPI document). */
export function hubRegistry(s: HubServices): ApiRegistry {
  const api = new ApiRegistry();
  for (const add of [
    metaEndpoints,
    authEndpoints,
    userEndpoints,
    tokenEndpoints,
    auditEndpoints,
    stackEndpoints,
    webhookEndpoints,
    instanceEndpoints,
    environmentEndpoints,
    certificateEndpoints,
    statusEndpoints,
    metricsEndpoints,
    agentEndpoints,
    discoveryEndpoints,
    replicationEndpoints,
  ]) {
    add(api, s);
  }
  return api;
}

/**
 * The hub's one HTTPS listener: console, user API (session or API token, by role), agent API
 * (agent certificates) and the routers' discovery feed (router certificates). Client certificates
 * are optional at the TLS layer so browsers get in; agent and router endpoints check the verified
 * identity themselves.
 */
export function createHubApp(s: HubServices, tls: TlsOptions, metrics: HubMetrics, consoleDir?: string): FastifyInstance {
  const app = Fastify({
    https: tls,
    logger: false,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    return503OnClosing: true,
    forceCloseConnections: true,
  });

  const console = consoleFiles(consoleDir);
  app.setErrorHandler(errorHandler(s.logger));
  app.setNotFoundHandler((request, reply) => {
    if (!console.serve(request, reply)) notFoundHandler(request, reply);
  });
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
    if (DROP_AFTER_RESPONSE.has(request.raw)) request.raw.socket.destroy();
    metrics.requests.inc({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    s.logger.debug({ reqId: request.id, method: request.method, url: request.url.replace(/\/api\/webhooks\/[^/?]+/, '/api/webhooks/…'), status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  hubRegistry(s).mount(app, hubGuards({ accounts: s.accounts, csrf: s.csrf, trustDomain: s.config.trustDomain, revocations: s.revocations, audit: s.audit }));
  return app;
}
