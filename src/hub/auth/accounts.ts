import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError } from '../../core/errors.js';
import { LoginThrottledError } from '../errors.js';
import type { ApiTokenRecord, ApiTokenStore } from '../store/api-tokens.js';
import { looksLikeApiToken } from '../store/api-tokens.js';
import type { SessionStore } from '../store/sessions.js';
import type { UserRecord, UserStore } from '../store/users.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import { hasRole, type Role } from './roles.js';
import type { LoginThrottle } from './throttle.js';

export const ADMIN_USER = 'admin';

/** Who is calling: a logged-in user (session) or an API token, with the role that applies. */
export interface Principal {
  username: string;
  role: Role;
  kind: 'session' | 'token';
  /** How the credential came: the session cookie (CSRF rules apply) or an Authorization header. */
  via: 'cookie' | 'bearer';
  /** The session token (sessions) or the token id (API tokens). */
  credential: string;
  /** A human label for the audit log, e.g. `admin` or `admin (token ci-deploy)`. */
  label: string;
}

/** Users, logins, sessions and API tokens of the console and API. */
export class Accounts {
  /** Verified against when the user does not exist, so unknown names take as long as wrong passwords. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly tokens: ApiTokenStore,
    private readonly throttle: LoginThrottle,
    private readonly sessionTtlMs: number,
  ) {}

  /** Makes sure `admin` exists with this password and the admin role (the configured one is the source of truth). */
  async ensureAdmin(password: string): Promise<void> {
    const stored = this.users.passwordHash(ADMIN_USER);
    const same = stored !== undefined && (await verifyPassword(password, stored));
    if (!same || needsRehash(stored)) this.users.setPasswordHash(ADMIN_USER, await hashPassword(password));
    this.users.setRole(ADMIN_USER, 'admin');
    // A new password ends the sessions opened with the old one.
    if (stored !== undefined && !same) this.sessions.revokeAll(ADMIN_USER);
  }

  /** Checks credentials; throws 429 when the client is throttled and 401 when they are wrong. */
  async login(username: string, password: string, client: string, now = Date.now()): Promise<{ token: string; expiresAt: number; user: UserRecord }> {
    const wait = this.throttle.attempt(client, now);
    if (wait > 0) throw new LoginThrottledError(Math.ceil(wait / 1000));
    const stored = this.users.passwordHash(username);
    const ok = await verifyPassword(password, stored ?? (await (this.decoyHash ??= hashPassword('decoy-password'))));
    const user = this.users.get(username);
    if (!ok || !stored || !user) throw new UnauthorizedError('HUB_LOGIN_FAILED', 'wrong username or password');
    this.throttle.succeeded(client);
    if (needsRehash(stored)) this.users.setPasswordHash(username, await hashPassword(password), now);
    return { ...this.sessions.create(username, this.sessionTtlMs, now), user };
  }

  /** The principal behind a bearer value (a session token or an API token), if it is live. */
  fromBearer(value: string, now = Date.now()): Principal | undefined {
    if (looksLikeApiToken(value)) {
      const t = this.tokens.verify(value, now);
      const owner = t && this.users.get(t.username);
      if (!t || !owner) return undefined;
      // A token never carries more than its owner has now.
      const role = hasRole(owner.role, t.role) ? t.role : owner.role;
      return { username: t.username, role, kind: 'token', via: 'bearer', credential: t.id, label: `${t.username} (token ${t.name})` };
    }
    return this.fromSession(value, 'bearer', now);
  }

  fromSession(token: string | undefined, via: 'cookie' | 'bearer', now = Date.now()): Principal | undefined {
    if (!token) return undefined;
    const session = this.sessions.lookup(token, now);
    const user = session && this.users.get(session.username);
    if (!user) return undefined;
    return { username: user.username, role: user.role, kind: 'session', via, credential: token, label: user.username };
  }

  async checkPassword(username: string, password: string): Promise<boolean> {
    const stored = this.users.passwordHash(username);
    return stored !== undefined && (await verifyPassword(password, stored));
  }

  logout(sessionToken: string | undefined): void {
    if (sessionToken) this.sessions.revoke(sessionToken);
  }

  purgeExpiredSessions(now = Date.now()): number {
    return this.sessions.purgeExpired(now);
  }

  // --- users -------------------------------------------------------------------------------------

  listUsers(): UserRecord[] {
    return this.users.list();
  }

  async createUser(username: string, password: string, role: Role): Promise<UserRecord> {
    if (!this.users.create(username, await hashPassword(password), role)) throw new ConflictError('HUB_USER_EXISTS', `a user named "${username}" exists`);
    return this.users.get(username) as UserRecord;
  }

  /** Changes a user's role and/or password; a new password ends the user's sessions. */
  async updateUser(username: string, change: { role?: Role | undefined; password?: string | undefined }): Promise<UserRecord> {
    const user = this.users.get(username);
    if (!user) throw new NotFoundError('HUB_USER_NOT_FOUND', `no user named "${username}"`);
    if (change.role !== undefined && change.role !== user.role) {
      if (username === ADMIN_USER) throw new ForbiddenError('HUB_USER_PROTECTED', `the role of "${ADMIN_USER}" cannot change (it is the configured first admin)`);
      this.users.setRole(username, change.role);
    }
    if (change.password !== undefined) {
      this.users.setPasswordHash(username, await hashPassword(change.password));
      this.sessions.revokeAll(username);
    }
    return this.users.get(username) as UserRecord;
  }

  deleteUser(username: string): void {
    if (username === ADMIN_USER) throw new ForbiddenError('HUB_USER_PROTECTED', `"${ADMIN_USER}" cannot be deleted (it is the configured first admin)`);
    if (!this.users.delete(username)) throw new NotFoundError('HUB_USER_NOT_FOUND', `no user named "${username}"`);
  }

  // --- API tokens --------------------------------------------------------------------------------

  createToken(owner: Principal, input: { name: string; role?: Role | undefined; ttlMs?: number | undefined }, now = Date.now()): { token: string; record: ApiTokenRecord } {
    const role = input.role ?? owner.role;
    if (!hasRole(owner.role, role)) throw new ForbiddenError('HUB_TOKEN_ROLE_TOO_HIGH', `a token cannot carry role ${role}: you are ${owner.role}`);
    return this.tokens.create({ name: input.name, username: owner.username, role, expiresAt: input.ttlMs === undefined ? null : now + input.ttlMs }, now);
  }

  /** Tokens the caller may see: all for admins, their own otherwise. */
  listTokens(caller: Principal): ApiTokenRecord[] {
    return caller.role === 'admin' ? this.tokens.list() : this.tokens.list(caller.username);
  }

  deleteToken(caller: Principal, id: string): ApiTokenRecord {
    const t = this.tokens.get(id);
    if (!t || (t.username !== caller.username && caller.role !== 'admin')) throw new NotFoundError('HUB_TOKEN_NOT_FOUND', `no API token with id "${id}"`);
    this.tokens.delete(id);
    return t;
  }
}
