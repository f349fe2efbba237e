import { UnauthorizedError } from '../../core/errors.js';
import { LoginThrottledError } from '../errors.js';
import type { SessionStore, Session } from '../store/sessions.js';
import type { UserStore } from '../store/users.js';
import { hashPassword, needsRehash, verifyPassword } from './password.js';
import type { LoginThrottle } from './throttle.js';

export const ADMIN_USER = 'admin';

/** Users, logins and sessions of the console and API. */
export class Accounts {
  /** Verified against when the user does not exist, so unknown names take as long as wrong passwords. */
  private decoyHash: Promise<string> | undefined;

  constructor(
    private readonly users: UserStore,
    private readonly sessions: SessionStore,
    private readonly throttle: LoginThrottle,
    private readonly sessionTtlMs: number,
  ) {}

  /** Makes sure `admin` exists with this password (the configured one is the source of truth). */
  async ensureAdmin(password: string): Promise<void> {
    const stored = this.users.passwordHash(ADMIN_USER);
    const same = stored !== undefined && (await verifyPassword(password, stored));
    if (same && !needsRehash(stored)) return;
    this.users.setPasswordHash(ADMIN_USER, await hashPassword(password));
    // A new password ends the sessions opened with the old one.
    if (!same) this.sessions.revokeAll(ADMIN_USER);
  }

  /** Checks credentials; throws 429 when the client is throttled and 401 when they are wrong. */
  async login(username: string, password: string, client: string, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
    const wait = this.throttle.attempt(client, now);
    if (wait > 0) throw new LoginThrottledError(Math.ceil(wait / 1000));
    const stored = this.users.passwordHash(username);
    const ok = await verifyPassword(password, stored ?? (await (this.decoyHash ??= hashPassword('decoy-password'))));
    if (!ok || !stored) throw new UnauthorizedError('HUB_LOGIN_FAILED', 'wrong username or password');
    this.throttle.succeeded(client);
    return this.sessions.create(username, this.sessionTtlMs, now);
  }

  authenticate(token: string | undefined, now = Date.now()): Session | undefined {
    return token ? this.sessions.lookup(token, now) : undefined;
  }

  logout(token: string | undefined): void {
    if (token) this.sessions.revoke(token);
  }

  purgeExpiredSessions(now = Date.now()): number {
    return this.sessions.purgeExpired(now);
  }
}
