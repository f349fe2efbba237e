import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Authority } from '../authority/authority.js';
import type { AcmeStore } from './acme-store.js';
import { accountOrders, changeKey, newAccount, updateAccount, type AcmeAnswer } from './accounts.js';
import { authenticate, type AcmeContext, type Authenticated } from './context.js';
import { NonceStore } from './nonces.js';
import { downloadCertificate, finalize, getAuthz, getOrder, newOrder, postChallenge, revokeCert } from './orders.js';
import { AcmeError, toAcmeProblem } from './problem.js';
import type { AcmeProvisioner } from './provisioner.js';
import { AcmeUrls } from './urls.js';

export interface AcmeServerOptions {
  authority: Authority;
  store: AcmeStore;
  provisioners: readonly AcmeProvisioner[];
  logger: Logger;
  /** Counts refused requests (route, error code). */
  failed?: (route: string, code: string) => void;
}

export interface AcmeServer {
  /** Stops background validations. */
  close(): Promise<void>;
}

type Params = { provisioner: string; id?: string };
type Handler = (ctx: AcmeContext, auth: Authenticated, id: string) => AcmeAnswer | Promise<AcmeAnswer>;

/**
 * RFC 8555 at `/acme/<provisioner>/…`: directory, nonces, accounts, orders, authorizations,
 * challenges, finalize, certificate download and revocation. Every response carries a fresh
 * `Replay-Nonce` and the directory link; errors are `application/problem+json` with
 * `urn:ietf:params:acme:error:*` types, rendered once here.
 */
export function registerAcme(app: FastifyInstance, options: AcmeServerOptions): AcmeServer {
  const nonces = new NonceStore();
  const abort = new AbortController();
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const byName = new Map(options.provisioners.map((p) => [p.name, p]));

  const contextOf = (request: FastifyRequest<{ Params: Params }>): AcmeContext => {
    const provisioner = byName.get(request.params.provisioner);
    if (!provisioner) throw new AcmeError('malformed', `no ACME provisioner named "${request.params.provisioner}"; this CA has ${[...byName.keys()].join(', ') || 'none'}`, { status: 404 });
    const host = request.headers.host;
    if (!host) throw new AcmeError('malformed', 'the request has no Host header');
    return { store: options.store, nonces, authority: options.authority, provisioner, urls: new AcmeUrls(`https://${host}`, provisioner.name), logger: options.logger, signal: abort.signal };
  };
  const requestUrl = (request: FastifyRequest) => `https://${request.headers.host ?? ''}${request.url.split('?')[0] ?? ''}`;

  const send = (reply: FastifyReply, ctx: AcmeContext, answer: AcmeAnswer) => {
    reply.code(answer.status);
    if (answer.location) reply.header('location', answer.location);
    if (answer.retryAfter !== undefined) reply.header('retry-after', String(answer.retryAfter));
    reply.header('link', [`<${ctx.urls.directory}>;rel="index"`, ...(answer.links ?? [])]);
    if (answer.body === undefined) return reply.send();
    if (answer.contentType) return reply.type(answer.contentType).send(answer.body);
    return reply.type('application/json').send(answer.body);
  };

  void app.register(
    async (scope) => {
      scope.addContentTypeParser('application/jose+json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
        try {
          done(null, JSON.parse(body as string));
        } catch {
          done(new AcmeError('malformed', 'request body is not JSON'), undefined);
        }
      });
      scope.addHook('onSend', async (_request, reply) => {
        reply.header('replay-nonce', nonces.issue());
        reply.header('cache-control', 'no-store');
      });
      scope.setErrorHandler((err, request, reply) => {
        const problem = toAcmeProblem(err);
        const route = request.routeOptions.url ?? 'unknown';
        options.failed?.(route, problem.type.replace('urn:ietf:params:acme:error:', 'acme:'));
        const log = { reqId: request.id, route, status: problem.status, type: problem.type };
        if (problem.status >= 500) options.logger.error({ ...log, err }, 'ACME request failed');
        else options.logger.info({ ...log, detail: problem.detail }, 'ACME request refused');
        return reply.code(problem.status).type('application/problem+json').send(problem);
      });
      scope.setNotFoundHandler(async (request) => {
        throw new AcmeError('malformed', `no such ACME endpoint: ${request.method} ${request.url.split('?')[0] ?? ''}`, { status: 404 });
      });

      scope.get<{ Params: Params }>('/:provisioner/directory', async (request, reply) => {
        const ctx = contextOf(request);
        const u = ctx.urls;
        return reply.type('application/json').send({
          newNonce: u.newNonce,
          newAccount: u.newAccount,
          newOrder: u.newOrder,
          revokeCert: u.revokeCert,
          keyChange: u.keyChange,
          meta: { externalAccountRequired: ctx.provisioner.config.requireEab },
        });
      });
      scope.route<{ Params: Params }>({
        method: ['GET', 'HEAD'],
        url: '/:provisioner/new-nonce',
        exposeHeadRoute: false,
        handler: async (request, reply) => {
          const ctx = contextOf(request);
          reply.header('link', `<${ctx.urls.directory}>;rel="index"`);
          return reply.code(request.method === 'HEAD' ? 200 : 204).send();
        },
      });

      const post = (path: string, keyMode: 'kid' | 'jwk' | 'either', handler: Handler) => {
        scope.post<{ Params: Params }>(path, async (request, reply) => {
          const ctx = contextOf(request);
          const auth = await authenticate(ctx, requestUrl(request), request.body, keyMode);
          return send(reply, ctx, await handler(ctx, auth, request.params.id ?? ''));
        });
      };
      post('/:provisioner/new-account', 'jwk', (ctx, auth) => newAccount(ctx, auth));
      post('/:provisioner/account/:id', 'kid', updateAccount);
      post('/:provisioner/account/:id/orders', 'kid', accountOrders);
      post('/:provisioner/key-change', 'kid', (ctx, auth) => changeKey(ctx, auth));
      post('/:provisioner/new-order', 'kid', (ctx, auth) => newOrder(ctx, auth));
      post('/:provisioner/order/:id', 'kid', getOrder);
      post('/:provisioner/order/:id/finalize', 'kid', finalize);
      post('/:provisioner/authz/:id', 'kid', getAuthz);
      post('/:provisioner/challenge/:id', 'kid', (ctx, auth, id) => postChallenge(ctx, auth, id, track));
      post('/:provisioner/certificate/:id', 'kid', downloadCertificate);
      post('/:provisioner/revoke-cert', 'either', (ctx, auth) => revokeCert(ctx, auth));
    },
    { prefix: '/acme' },
  );

  return {
    close: async () => {
      abort.abort();
      await Promise.allSettled([...pending]);
    },
  };
}
