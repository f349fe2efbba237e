import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { Agent, request } from 'undici';
import { errorMessage } from '../errors.js';
import { sleep } from '../lifecycle.js';
import type { TlsIdentity } from './identity.js';
import { splitPemChain } from './keys.js';
import { x509 } from './x509.js';

/** Default time between CRL downloads; a revoked peer is refused at most this long after revocation. */
export const DEFAULT_CRL_REFRESH_MS = 30_000;

/** Serials compare as upper-case hex without separators or leading zeros. */
export function normalizeSerialHex(serial: string): string {
  return serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
}

export interface RevocationListOptions {
  /** The CA's base URL; the list is read from `<caUrl>/1.0/crl` (DER). */
  caUrl: string;
  /** Trust for the CA's TLS certificate and the root the CRL issuer must chain to. */
  rootPem: string;
  /** CA certificates that may sign the CRL (the intermediate); default: the identity's chain minus its leaf. */
  issuers: () => string[];
  refreshMs?: number;
  logger: Logger;
}

/**
 * The CA's CRL, downloaded at start and every `refreshMs`, signature-checked against the issuing
 * intermediate. Listeners (`guardTlsServer`) refuse — and disconnect — peers whose certificate is
 * on it; mTLS clients (`createMtlsAgent`) refuse such servers. If the CA cannot be reached the last
 * good list stays in force (fail-open on availability, so an outage of the CA does not take the
 * data path down; the CRL's own nextUpdate spans two CA regeneration intervals).
 */
export class RevocationList {
  private revoked = new Set<string>();
  private readonly events = new EventEmitter();
  private loaded = false;
  number: bigint | undefined;

  constructor(private readonly options: RevocationListOptions) {}

  isRevoked(serial: string): boolean {
    return this.revoked.has(normalizeSerialHex(serial));
  }

  get size(): number {
    return this.revoked.size;
  }

  get ready(): boolean {
    return this.loaded;
  }

  /** Called after every download that changed the list; returns an unsubscribe function. */
  onUpdate(listener: () => void): () => void {
    this.events.on('update', listener);
    return () => this.events.off('update', listener);
  }

  /** Downloads and installs the CRL now. Throws when it cannot be fetched or does not verify. */
  async refresh(): Promise<void> {
    const agent = new Agent({ connect: { ca: this.options.rootPem } });
    let der: Buffer;
    try {
      const res = await request(new URL('/1.0/crl', this.options.caUrl), { dispatcher: agent, headersTimeout: 10_000, bodyTimeout: 10_000 });
      der = Buffer.from(await res.body.arrayBuffer());
      if (res.statusCode !== 200) throw new Error(`CA answered ${res.statusCode}`);
    } finally {
      void agent.close();
    }
    const crl = new x509.X509Crl(der);
    if (!(await this.signedByIssuer(crl))) throw new Error('the CRL signature does not verify with the issuing CA certificate');
    const next = new Set(crl.entries.map((e) => normalizeSerialHex(e.serialNumber)));
    const changed = !this.loaded || next.size !== this.revoked.size || [...next].some((s) => !this.revoked.has(s));
    this.revoked = next;
    this.loaded = true;
    if (changed) {
      this.options.logger.info({ revoked: next.size }, 'CRL loaded');
      this.events.emit('update');
    }
  }

  /** Keeps refreshing until `signal` aborts (the first download happens at once). */
  start(signal: AbortSignal): void {
    const every = this.options.refreshMs ?? DEFAULT_CRL_REFRESH_MS;
    void (async () => {
      while (!signal.aborted) {
        try {
          await this.refresh();
        } catch (err) {
          if (signal.aborted) return;
          this.options.logger.warn({ err: errorMessage(err) }, 'CRL refresh failed; keeping the last list');
        }
        try {
          await sleep(this.loaded ? every : Math.min(every, 2000), signal);
        } catch {
          return;
        }
      }
    })();
  }

  private async signedByIssuer(crl: x509.X509Crl): Promise<boolean> {
    for (const pem of this.options.issuers()) {
      const issuer = new x509.X509Certificate(pem);
      if (issuer.subject !== crl.issuer) continue;
      if (await crl.verify({ publicKey: issuer.publicKey })) return true;
    }
    return false;
  }
}

interface Entry {
  list?: RevocationList;
  listeners: Set<() => void>;
  unsubscribe?: () => void;
}
const registry = new WeakMap<TlsIdentity, Entry>();

function entryOf(identity: TlsIdentity): Entry {
  let entry = registry.get(identity);
  if (!entry) {
    entry = { listeners: new Set() };
    registry.set(identity, entry);
  }
  return entry;
}

/**
 * Makes every listener and mTLS client built on `identity` honour `list` (the process's
 * composition root calls this once; listeners built before or after both pick it up).
 */
export function attachRevocationList(identity: TlsIdentity, list: RevocationList): void {
  const entry = entryOf(identity);
  entry.unsubscribe?.();
  entry.list = list;
  entry.unsubscribe = list.onUpdate(() => entry.listeners.forEach((l) => l()));
  if (list.ready) entry.listeners.forEach((l) => l());
}

/** The revocation list attached to `identity`, if any. */
export function revocationListOf(identity: TlsIdentity): RevocationList | undefined {
  return registry.get(identity)?.list;
}

/** Called whenever the list attached to `identity` changes (also when one is attached later). */
export function onRevocationUpdate(identity: TlsIdentity, listener: () => void): () => void {
  const entry = entryOf(identity);
  entry.listeners.add(listener);
  return () => entry.listeners.delete(listener);
}

/** A RevocationList for `identity`'s CA: issuers are the CA certificates in its current chain. */
export function revocationListFor(identity: TlsIdentity, options: { caUrl: string; refreshMs?: number; logger: Logger }): RevocationList {
  return new RevocationList({
    caUrl: options.caUrl,
    rootPem: identity.rootPem,
    issuers: () => [...splitPemChain(identity.current.chainPem).slice(1), ...splitPemChain(identity.rootPem)],
    ...(options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {}),
    logger: options.logger,
  });
}
