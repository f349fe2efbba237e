import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';

/**
 * A tiny authoritative DNS server on 127.0.0.1 (UDP) answering TXT queries from a map, NXDOMAIN
 * otherwise — the resolver a dns-01 test points the CA at.
 */
export class TxtDnsServer {
  readonly records = new Map<string, string[]>();
  private constructor(private readonly socket: Socket) {}

  static async start(): Promise<TxtDnsServer> {
    const socket = createSocket('udp4');
    const server = new TxtDnsServer(socket);
    socket.on('message', (msg, rinfo) => {
      const answer = server.answer(msg);
      if (answer) socket.send(answer, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return server;
  }

  get address(): string {
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  private answer(msg: Buffer): Buffer | undefined {
    if (msg.length < 12) return undefined;
    let offset = 12;
    const labels: string[] = [];
    while (offset < msg.length && msg[offset] !== 0) {
      const len = msg[offset] as number;
      labels.push(msg.subarray(offset + 1, offset + 1 + len).toString('ascii'));
      offset += len + 1;
    }
    const questionEnd = offset + 5;
    const qtype = msg.readUInt16BE(offset + 1);
    const name = labels.join('.').toLowerCase();
    const values = qtype === 16 ? (this.records.get(name) ?? []) : [];
    const header = Buffer.alloc(12);
    msg.copy(header, 0, 0, 2);
    header.writeUInt16BE(0x8400 | (values.length === 0 && !this.records.has(name) ? 3 : 0), 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(values.length, 6);
    const answers = values.map((v) => {
      const txt = Buffer.concat([Buffer.from([v.length]), Buffer.from(v, 'ascii')]);
      const rr = Buffer.alloc(12);
      rr.writeUInt16BE(0xc00c, 0);
      rr.writeUInt16BE(16, 2);
      rr.writeUInt16BE(1, 4);
      rr.writeUInt32BE(0, 6);
      rr.writeUInt16BE(txt.length, 10);
      return Buffer.concat([rr, txt]);
    });
    return Buffer.concat([header, msg.subarray(12, questionEnd), ...answers]);
  }
}
