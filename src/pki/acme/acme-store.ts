import type { JWK } from 'jose';
import type { CaDatabase } from '../store/database.js';
import { normalizeSerial } from '../store/certificates.js';
import type {
  AccountStatus,
  AcmeAccount,
  AcmeAuthz,
  AcmeCertificate,
  AcmeChallenge,
  AcmeOrder,
  AuthzStatus,
  ChallengeStatus,
  EabKey,
  Identifier,
  OrderStatus,
  Problem,
} from './records.js';

type Row = Record<string, unknown>;
const date = (v: unknown): Date | undefined => (typeof v === 'number' ? new Date(v) : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const problem = (v: unknown): Problem | undefined => (typeof v === 'string' ? (JSON.parse(v) as Problem) : undefined);

/**
 * ACME state in the CA's SQLite database. better-sqlite3 is synchronous, so every method is atomic
 * with respect to the others; state changes that must not race (finalize, challenge start) are
 * compare-and-set updates that report whether they won.
 */
export class AcmeStore {
  constructor(private readonly db: CaDatabase) {}

  // Accounts
  insertAccount(a: AcmeAccount): void {
    this.db
      .prepare('INSERT INTO acme_accounts (id, provisioner, thumbprint, jwk, status, contact, eab_kid, bound_uri, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(a.id, a.provisioner, a.thumbprint, JSON.stringify(a.jwk), a.status, JSON.stringify(a.contact), a.eabKid ?? null, a.boundUri ?? null, a.created.getTime());
  }

  account(id: string): AcmeAccount | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_accounts WHERE id = ?').get(id);
    return row ? toAccount(row) : undefined;
  }

  accountByKey(provisioner: string, thumbprint: string): AcmeAccount | undefined {
    const row = this.db.prepare<[string, string], Row>('SELECT * FROM acme_accounts WHERE provisioner = ? AND thumbprint = ?').get(provisioner, thumbprint);
    return row ? toAccount(row) : undefined;
  }

  updateAccount(id: string, change: { status?: AccountStatus; contact?: string[] }): void {
    if (change.status) this.db.prepare('UPDATE acme_accounts SET status = ? WHERE id = ?').run(change.status, id);
    if (change.contact) this.db.prepare('UPDATE acme_accounts SET contact = ? WHERE id = ?').run(JSON.stringify(change.contact), id);
  }

  /** Replaces the account key; false when another account of the provisioner holds the new key. */
  changeKey(id: string, provisioner: string, thumbprint: string, jwk: JWK): boolean {
    return this.db.transaction(() => {
      if (this.accountByKey(provisioner, thumbprint)) return false;
      this.db.prepare('UPDATE acme_accounts SET thumbprint = ?, jwk = ? WHERE id = ?').run(thumbprint, JSON.stringify(jwk), id);
      return true;
    })();
  }

  // Orders, authorizations, challenges
  insertOrder(order: AcmeOrder, authzs: AcmeAuthz[], challenges: AcmeChallenge[]): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO acme_orders (id, account, provisioner, status, identifiers, not_before, not_after, expires, certificate, error, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)')
        .run(order.id, order.account, order.provisioner, order.status, JSON.stringify(order.identifiers), order.notBefore?.getTime() ?? null, order.notAfter?.getTime() ?? null, order.expires.getTime(), order.created.getTime());
      const insertAuthz = this.db.prepare('INSERT INTO acme_authzs (id, order_id, account, type, value, wildcard, status, expires) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
      for (const z of authzs) insertAuthz.run(z.id, z.orderId, z.account, z.identifier.type, z.identifier.value, z.wildcard ? 1 : 0, z.status, z.expires.getTime());
      const insertChallenge = this.db.prepare('INSERT INTO acme_challenges (id, authz, type, token, status, validated, error) VALUES (?, ?, ?, ?, ?, NULL, NULL)');
      for (const c of challenges) insertChallenge.run(c.id, c.authz, c.type, c.token, c.status);
    })();
  }

  order(id: string): AcmeOrder | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_orders WHERE id = ?').get(id);
    return row ? toOrder(row) : undefined;
  }

  ordersOf(account: string): AcmeOrder[] {
    return this.db.prepare<[string], Row>('SELECT * FROM acme_orders WHERE account = ? ORDER BY created').all(account).map(toOrder);
  }

  /** Compare-and-set on the order status; true when this caller made the change. */
  moveOrder(id: string, from: readonly OrderStatus[], to: OrderStatus, extra: { certificate?: string; error?: Problem } = {}): boolean {
    const marks = from.map(() => '?').join(', ');
    const result = this.db
      .prepare(`UPDATE acme_orders SET status = ?, certificate = coalesce(?, certificate), error = coalesce(?, error) WHERE id = ? AND status IN (${marks})`)
      .run(to, extra.certificate ?? null, extra.error ? JSON.stringify(extra.error) : null, id, ...from);
    return result.changes === 1;
  }

  authz(id: string): AcmeAuthz | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_authzs WHERE id = ?').get(id);
    return row ? toAuthz(row) : undefined;
  }

  authzsOf(orderId: string): AcmeAuthz[] {
    return this.db.prepare<[string], Row>('SELECT * FROM acme_authzs WHERE order_id = ? ORDER BY rowid').all(orderId).map(toAuthz);
  }

  moveAuthz(id: string, from: readonly AuthzStatus[], to: AuthzStatus): boolean {
    const marks = from.map(() => '?').join(', ');
    return this.db.prepare(`UPDATE acme_authzs SET status = ? WHERE id = ? AND status IN (${marks})`).run(to, id, ...from).changes === 1;
  }

  challenge(id: string): AcmeChallenge | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_challenges WHERE id = ?').get(id);
    return row ? toChallenge(row) : undefined;
  }

  challengesOf(authz: string): AcmeChallenge[] {
    return this.db.prepare<[string], Row>('SELECT * FROM acme_challenges WHERE authz = ? ORDER BY rowid').all(authz).map(toChallenge);
  }

  moveChallenge(id: string, from: readonly ChallengeStatus[], to: ChallengeStatus, extra: { validated?: Date; error?: Problem } = {}): boolean {
    const marks = from.map(() => '?').join(', ');
    const result = this.db
      .prepare(`UPDATE acme_challenges SET status = ?, validated = coalesce(?, validated), error = coalesce(?, error) WHERE id = ? AND status IN (${marks})`)
      .run(to, extra.validated?.getTime() ?? null, extra.error ? JSON.stringify(extra.error) : null, id, ...from);
    return result.changes === 1;
  }

  // Certificates
  insertCertificate(c: AcmeCertificate): void {
    this.db.prepare('INSERT INTO acme_certificates (id, order_id, account, serial, chain) VALUES (?, ?, ?, ?, ?)').run(c.id, c.orderId, c.account, normalizeSerial(c.serial), c.chain);
  }

  certificate(id: string): AcmeCertificate | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_certificates WHERE id = ?').get(id);
    return row ? { id: row['id'] as string, orderId: row['order_id'] as string, account: row['account'] as string, serial: row['serial'] as string, chain: row['chain'] as string } : undefined;
  }

  certificateAccount(serial: string): string | undefined {
    return str(this.db.prepare<[string], Row>('SELECT account FROM acme_certificates WHERE serial = ?').get(normalizeSerial(serial))?.['account']);
  }

  // External account binding keys
  insertEabKey(k: EabKey): void {
    this.db
      .prepare('INSERT INTO acme_eab_keys (kid, provisioner, hmac, bound_uri, account, created, expires) VALUES (?, ?, ?, ?, NULL, ?, ?)')
      .run(k.kid, k.provisioner, k.hmac, k.boundUri ?? null, Date.now(), k.expires.getTime());
  }

  eabKey(kid: string): EabKey | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM acme_eab_keys WHERE kid = ?').get(kid);
    if (!row) return undefined;
    return { kid: row['kid'] as string, provisioner: row['provisioner'] as string, hmac: row['hmac'] as string, boundUri: str(row['bound_uri']), account: str(row['account']), expires: new Date(row['expires'] as number) };
  }

  /** Binds the key to an account; false when it is already bound (keys are single use). */
  bindEabKey(kid: string, account: string): boolean {
    return this.db.prepare('UPDATE acme_eab_keys SET account = ? WHERE kid = ? AND account IS NULL').run(account, kid).changes === 1;
  }
}

function toAccount(r: Row): AcmeAccount {
  return {
    id: r['id'] as string,
    provisioner: r['provisioner'] as string,
    thumbprint: r['thumbprint'] as string,
    jwk: JSON.parse(r['jwk'] as string) as JWK,
    status: r['status'] as AccountStatus,
    contact: JSON.parse(r['contact'] as string) as string[],
    eabKid: str(r['eab_kid']),
    boundUri: str(r['bound_uri']),
    created: new Date(r['created'] as number),
  };
}

function toOrder(r: Row): AcmeOrder {
  return {
    id: r['id'] as string,
    account: r['account'] as string,
    provisioner: r['provisioner'] as string,
    status: r['status'] as OrderStatus,
    identifiers: JSON.parse(r['identifiers'] as string) as Identifier[],
    notBefore: date(r['not_before']),
    notAfter: date(r['not_after']),
    expires: new Date(r['expires'] as number),
    certificate: str(r['certificate']),
    error: problem(r['error']),
    created: new Date(r['created'] as number),
  };
}

function toAuthz(r: Row): AcmeAuthz {
  return {
    id: r['id'] as string,
    orderId: r['order_id'] as string,
    account: r['account'] as string,
    identifier: { type: r['type'] as Identifier['type'], value: r['value'] as string },
    wildcard: r['wildcard'] === 1,
    status: r['status'] as AuthzStatus,
    expires: new Date(r['expires'] as number),
  };
}

function toChallenge(r: Row): AcmeChallenge {
  return {
    id: r['id'] as string,
    authz: r['authz'] as string,
    type: r['type'] as AcmeChallenge['type'],
    token: r['token'] as string,
    status: r['status'] as ChallengeStatus,
    validated: date(r['validated']),
    error: problem(r['error']),
  };
}
