import { randomUUID } from 'node:crypto';
import type { TlsOptions } from 'node:tls';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { NotFoundError } from '../../core/errors.js';
import type { Authority } from '../authority/authority.js';
import type { CrlPublisher } from '../authority/crl.js';
import { registerAcme, type AcmeServer } from '../acme/routes.js';
import type { AcmeProvisioner } from '../acme/provisioner.js';
import type { CaMetrics } from '../metrics.js';
import type { ProvisionerSet } from '../provisioners/provisioner-set.js';
import type { CaStore } from '../store/index.js';
import { registerCertificatesRoute } from './certificates-route.js';
import { registerCrlRoute } from './crl-route.js';
import { registerEabRoute } from './eab-route.js';
import { toApiError } from './errors.js';
import { registerRenewRoute } from './renew-route.js';
import { registerRevokeRoute } from './revoke-route.js';
import { registerRootsRoutes } from './roots-route.js';
import { registerSignRoute } from './sign-route.js';

export interface CaApiOptions {
  authority: Authority;
  metrics: CaMetrics;
  logger: Logger;
  /** TLS settings of the listener (the CA's own certificate; client certificates requested, not required). */
  tls: TlsOptions;
  provisioners: ProvisionerSet;
  store: CaStore;
  crl: CrlPublisher;
  acmeProvisioners: readonly AcmeProvisioner[];
  trustDomain: string;
  /** Host names and IPs the CA is reached at (audiences of renewal tokens). */
  audienceHosts: readonly string[];
  tokenLeewaySeconds: number;
}

/**
 * The CA's REST API (step-ca compatible): sign, renew, revoke, inventory, CRL, roots, EAB keys, health,
 * metrics, and ACME under `/acme/<provisioner>/` (which renders its own problem+json errors).
 * REST errors are rendered once, here, as `{status, message}`.
 */
export function createCaApi(options: CaApiOptions): { app: FastifyInstance; acme: AcmeServer } {
  const { authority, metrics, logger } = options;
  const app = Fastify({
    https: options.tls,
    logger: false,
    bodyLimit: 128 * 1024,
    requestTimeout: 30_000,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;

  app.setErrorHandler((err, request, reply) => {
    const apiError = toApiError(err);
    const route = request.routeOptions.url ?? 'unknown';
    metrics.failed(route, apiError.code);
    const log = { reqId: request.id, method: request.method, route, status: apiError.status, code: apiError.code };
    if (apiError.status >= 500) logger.error({ ...log, err }, 'CA request failed');
    else logger.info({ ...log, reason: apiError.message }, 'CA request refused');
    return reply.code(apiError.status).type('application/json').send({ status: apiError.status, message: apiError.message });
  });
  app.setNotFoundHandler(async (request) => {
    throw new NotFoundError('PKI_NOT_FOUND', `no such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`);
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.debug({ reqId: request.id, method: request.method, url: request.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  registerSignRoute(app, authority);
  registerRenewRoute(app, authority, { audienceHosts: options.audienceHosts, tokens: options.store.tokens, leewaySeconds: options.tokenLeewaySeconds });
  registerRevokeRoute(app, authority, options.provisioners, options.store.tokens);
  registerCertificatesRoute(app, { provisioners: options.provisioners, store: options.store });
  registerCrlRoute(app, options.crl);
  registerEabRoute(app, { provisioners: options.provisioners, tokens: options.store.tokens, acme: options.store.acme, audit: options.store.audit, acmeProvisioners: options.acmeProvisioners.map((p) => p.name), trustDomain: options.trustDomain });
  registerRootsRoutes(app, authority.rootPem);
  const acme = registerAcme(app, { authority, store: options.store.acme, provisioners: options.acmeProvisioners, logger: logger.child({ component: 'acme' }), failed: (route, code) => metrics.failed(route, code) });
  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return { app, acme };
}
