import type { TLSSocket } from 'node:tls';
import type { RevocationStore, RevokedCertificate } from '../store/revocations.js';

/** Upper-case hex without leading zeros or separators, the form serials are compared in. */
export function normalizeSerial(serial: string): string {
  const hex = serial.replace(/[^0-9a-fA-F]/g, '').toUpperCase().replace(/^0+(?=.)/, '');
  return hex;
}

/**
 * Revoked certificate serials the hub enforces itself, on top of the CA's CRL: a peer presenting
 * one is refused on its next request, and its open connections are cut at once.
 */
export class Revocations {
  private readonly serials = new Set<string>();
  /** Open TLS connections by the serial of the client certificate they were made with. */
  private readonly sockets = new Map<string, Set<TLSSocket>>();

  constructor(private readonly store: RevocationStore) {
    for (const r of store.list()) this.serials.add(normalizeSerial(r.serial));
  }

  isRevoked(serial: string): boolean {
    return this.serials.has(normalizeSerial(serial));
  }

  list(): RevokedCertificate[] {
    return this.store.list();
  }

  /** Records a revocation and disconnects every open connection made with that certificate; returns how many. */
  revoke(r: RevokedCertificate): number {
    const serial = normalizeSerial(r.serial);
    this.store.add({ ...r, serial });
    this.serials.add(serial);
    const open = this.sockets.get(serial);
    let cut = 0;
    for (const socket of open ?? []) {
      socket.destroy();
      cut++;
    }
    this.sockets.delete(serial);
    return cut;
  }

  /** Tracks a new TLS connection (call on `secureConnection`); refuses it at once if its certificate is revoked. */
  track(socket: TLSSocket): void {
    if (!socket.authorized) return;
    const raw = socket.getPeerCertificate()?.serialNumber;
    if (!raw) return;
    const serial = normalizeSerial(raw);
    if (this.serials.has(serial)) {
      socket.destroy();
      return;
    }
    let set = this.sockets.get(serial);
    if (!set) this.sockets.set(serial, (set = new Set()));
    set.add(socket);
    socket.once('close', () => {
      set.delete(socket);
      if (set.size === 0 && this.sockets.get(serial) === set) this.sockets.delete(serial);
    });
  }
}
