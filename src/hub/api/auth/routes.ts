import { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../../../core/errors.js';
import { crossSiteReason } from '../../auth/csrf.js';
import { clearedSessionCookie, sessionCookie } from '../cookies.js';
import { principalOf } from '../guards.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

const passwordBody = z.strictObject({
  current: z.string().min(1).max(1024),
  password: z.string().min(8, 'the new password needs at least 8 characters').max(1024),
});

/** Log in (session cookie + CSRF token), log out, who am I, change my password. */
export function authEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'POST',
      url: '/api/auth/login',
      summary: 'Log in: sets the session cookie and returns the session token and the CSRF token',
      tag: 'auth',
      access: 'public',
      body: loginBody,
      audit: 'auth.login',
      responses: { 401: 'wrong username or password', 429: 'too many failed logins (Retry-After)' },
      handler: async ({ request, reply, body, audit }) => {
        audit.actor = { name: body.username, kind: 'session' };
        // A login form posted from another site would log the victim into the attacker's account.
        const cross = crossSiteReason(request.headers);
        if (cross) throw new ForbiddenError('HUB_CSRF', `refused as possible cross-site request forgery: ${cross}`);
        const session = await s.accounts.login(body.username, body.password, request.ip);
        void reply.header('set-cookie', sessionCookie(session.token, (session.expiresAt - Date.now()) / 1000));
        return {
          token: session.token,
          expiresAt: new Date(session.expiresAt).toISOString(),
          csrfToken: s.csrf.tokenFor(session.token),
          user: { username: session.user.username, role: session.user.role },
        };
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/auth/logout',
      summary: 'Log out: ends the session and clears the cookie',
      tag: 'auth',
      access: 'viewer',
      audit: 'auth.logout',
      handler: async ({ who, reply }) => {
        if (who.kind === 'session') s.accounts.logout(who.credential);
        void reply.header('set-cookie', clearedSessionCookie());
        return reply.code(204).send();
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/auth/session',
      summary: 'Whether the caller is logged in (never 401): the console asks this when it loads',
      tag: 'auth',
      access: 'public',
      handler: async ({ request }) => {
        const who = principalOf(request, s.accounts);
        const hub = { name: s.config.name, version: s.version, trustDomain: s.config.trustDomain };
        if (!who) return { authenticated: false, hub };
        return { authenticated: true, username: who.username, role: who.role, kind: who.kind, csrfToken: who.kind === 'session' ? s.csrf.tokenFor(who.credential) : null, hub };
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/auth/me',
      summary: 'The caller: user, role, how authenticated, and the CSRF token for cookie sessions',
      tag: 'auth',
      access: 'viewer',
      handler: async ({ who }) => ({
        username: who.username,
        role: who.role,
        kind: who.kind,
        csrfToken: who.kind === 'session' ? s.csrf.tokenFor(who.credential) : null,
        hub: { name: s.config.name, version: s.version, trustDomain: s.config.trustDomain },
      }),
    }),
    endpoint({
      method: 'PUT',
      url: '/api/auth/password',
      summary: 'Change my password (ends my sessions: log in again)',
      tag: 'auth',
      access: 'viewer',
      body: passwordBody,
      audit: 'user.password',
      handler: async ({ who, body, audit }) => {
        audit.target = who.username;
        if (who.kind !== 'session') throw new ForbiddenError('HUB_SESSION_REQUIRED', 'change passwords from a login session, not with an API token');
        const user = s.accounts.listUsers().find((u) => u.username === who.username);
        const ok = user !== undefined && (await s.accounts.checkPassword(who.username, body.current));
        if (!ok) throw new UnauthorizedError('HUB_PASSWORD_WRONG', 'the current password is wrong');
        await s.accounts.updateUser(who.username, { password: body.password });
        return { status: 'ok' };
      },
    }),
  );
}

