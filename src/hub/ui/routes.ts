import type { FastifyInstance, FastifyReply } from 'fastify';
import { sessionOf } from '../api/guards.js';
import type { HubServices } from '../api/services.js';
import { platformStatus } from '../status.js';
import { dashboardPage, loginPage } from './pages.js';

/** No scripts, no framing, nothing cached: the page is plain server-rendered HTML. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply
    .code(status)
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .type('text/html; charset=utf-8')
    .send(body);
}

/** `GET /`: the login form, or (with a session) every role's health, the stacks and their instances. */
export function consoleRoutes(app: FastifyInstance, s: HubServices): void {
  app.get<{ Querystring: { login?: string; retry?: string } }>('/', async (request, reply) => {
    const session = sessionOf(request, s.accounts);
    if (!session) {
      const q = request.query;
      const retry = Number(q.retry);
      const message =
        q.login === 'failed'
          ? 'Wrong username or password.'
          : q.login === 'throttled'
            ? `Too many failed logins; try again in ${Number.isFinite(retry) ? Math.max(1, Math.floor(retry)) : 'a few'} seconds.`
            : undefined;
      return html(reply, 200, loginPage(message));
    }
    const status = platformStatus({ hubName: s.config.name, peers: s.peers, routers: s.routers, fleet: s.fleet, stacks: s.stacks });
    return html(reply, 200, dashboardPage(status, session.username));
  });
}
