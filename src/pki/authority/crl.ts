import { x509 } from '../../core/tls/x509.js';
import type { RevocationRecords } from '../store/revocations.js';
import type { LeafSigner } from './leaf.js';

export interface PublishedCrl {
  der: Buffer;
  pem: string;
  number: bigint;
  thisUpdate: Date;
  nextUpdate: Date;
  serials: string[];
}

const CRL_NUMBER_OID = '2.5.29.20';

/**
 * The CA's certificate revocation list, signed by the intermediate (the issuer of every leaf):
 * regenerated after every revocation and on a schedule, with `nextUpdate` two intervals ahead so a
 * listener that misses one refresh still holds a current list. Revoked certificates stay listed
 * until they expire. CRL numbers grow with time, so they keep increasing across restarts.
 */
export class CrlPublisher {
  private latest: PublishedCrl | undefined;
  private lastNumber = 0n;
  private building: Promise<PublishedCrl> | undefined;
  private again = false;

  constructor(
    private readonly signer: LeafSigner,
    private readonly revocations: RevocationRecords,
    private readonly intervalMs: number,
  ) {}

  get current(): PublishedCrl | undefined {
    return this.latest;
  }

  /** Builds a new CRL now; concurrent calls coalesce, and a call during a build triggers one more. */
  async regenerate(): Promise<PublishedCrl> {
    if (this.building) {
      this.again = true;
      return this.building.then(() => this.regenerate());
    }
    this.building = this.build();
    try {
      this.latest = await this.building;
      return this.latest;
    } finally {
      this.building = undefined;
      if (this.again) {
        this.again = false;
        void this.regenerate();
      }
    }
  }

  private async build(): Promise<PublishedCrl> {
    const now = new Date();
    const thisUpdate = new Date(Math.floor(now.getTime() / 1000) * 1000);
    const nextUpdate = new Date(thisUpdate.getTime() + 2 * this.intervalMs);
    const number = this.nextNumber(now);
    const entries = this.revocations.unexpired(now);
    const crl = await x509.X509CrlGenerator.create({
      issuer: this.signer.cert.subjectName,
      thisUpdate,
      nextUpdate,
      signingKey: this.signer.key,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      entries: entries.map((r) => ({ serialNumber: derSerial(r.serial), revocationDate: r.revokedAt, ...(r.reason !== 0 ? { reason: r.reason as number as x509.X509CrlReason } : {}) })),
      extensions: [
        await x509.AuthorityKeyIdentifierExtension.create(this.signer.cert.publicKey),
        new x509.Extension(CRL_NUMBER_OID, false, derInteger(number)),
      ],
    });
    const der = Buffer.from(crl.rawData);
    const pem = `-----BEGIN X509 CRL-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END X509 CRL-----\n`;
    return { der, pem, number, thisUpdate, nextUpdate, serials: entries.map((r) => r.serial) };
  }

  private nextNumber(now: Date): bigint {
    const n = BigInt(now.getTime());
    this.lastNumber = n > this.lastNumber ? n : this.lastNumber + 1n;
    return this.lastNumber;
  }
}

/** A stored serial (uppercase hex, no leading zeros) as the hex the generator expects for a positive INTEGER. */
function derSerial(serial: string): string {
  const even = serial.length % 2 === 1 ? `0${serial}` : serial;
  return parseInt(even.slice(0, 2), 16) >= 0x80 ? `00${even}` : even;
}

function derInteger(value: bigint): ArrayBuffer {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  const body = Buffer.from(hex, 'hex');
  const out = Buffer.concat([Buffer.from([0x02, body.length]), body]);
  return out.buffer.slice(out.byteOffset, out.byteOffset + out.length) as ArrayBuffer;
}
