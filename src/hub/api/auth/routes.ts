import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PhoenixError } from '../../../core/errors.js';
import { LoginThrottledError } from '../../errors.js';
import { parseBody } from '../body.js';
import { clearedSessionCookie, sessionCookie } from '../cookies.js';
import { requireSession, sessionTokenOf } from '../guards.js';
import type { HubServices } from '../services.js';

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

/** A login from the console's plain HTML form (answered with redirects instead of JSON). */
function fromForm(request: FastifyRequest): boolean {
  return String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

/** `POST /api/auth/login` (no session needed). */
export function loginRoute(app: FastifyInstance, s: HubServices): void {
  app.post('/api/auth/login', async (request, reply) => {
    const form = fromForm(request);
    const body = parseBody(loginBody, request.body, 'login');
    let session: { token: string; expiresAt: number };
    try {
      session = await s.accounts.login(body.username, body.password, request.ip);
    } catch (err) {
      if (err instanceof PhoenixError) s.logger.warn({ username: body.username, client: request.ip, code: err.code }, 'login refused');
      if (form && err instanceof LoginThrottledError) return reply.redirect(`/?login=throttled&retry=${err.retryAfterSeconds}`, 303);
      if (form && err instanceof PhoenixError && err.status === 401) return reply.redirect('/?login=failed', 303);
      throw err;
    }
    s.logger.info({ username: body.username, client: request.ip }, 'login');
    void reply.header('set-cookie', sessionCookie(session.token, (session.expiresAt - Date.now()) / 1000));
    if (form) return reply.redirect('/', 303);
    return { token: session.token, expiresAt: new Date(session.expiresAt).toISOString() };
  });
}

/** `POST /api/auth/logout` (inside the session scope). */
export function logoutRoute(app: FastifyInstance, s: HubServices): void {
  app.post('/api/auth/logout', { onRequest: requireSession(s.accounts) }, async (request, reply) => {
    s.accounts.logout(sessionTokenOf(request));
    void reply.header('set-cookie', clearedSessionCookie());
    if (fromForm(request)) return reply.redirect('/', 303);
    return reply.code(204).send();
  });
}
