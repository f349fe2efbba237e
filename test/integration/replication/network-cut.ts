/**
 * A network cut between two "hosts" (loopback addresses of their own) with nftables: packets from
 * the follower's address to the leader's port, and back, are dropped, in a table of this test's own.
 */
import { execFileSync } from 'node:child_process';

export class NetworkCut {
  private readonly table = `phoenix_test_${process.pid}`;

  static available(): boolean {
    try {
      execFileSync('nft', ['list', 'tables'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  /** Drops traffic between `follower` (an address) and `leader` (address and port), both ways. */
  cut(follower: string, leader: { address: string; port: number }): void {
    this.heal();
    const rules = [
      `add table inet ${this.table}`,
      `add chain inet ${this.table} out { type filter hook output priority -10 ; }`,
      `add rule inet ${this.table} out ip saddr ${follower} ip daddr ${leader.address} tcp dport ${leader.port} drop`,
      `add rule inet ${this.table} out ip saddr ${leader.address} tcp sport ${leader.port} ip daddr ${follower} drop`,
    ];
    execFileSync('nft', ['-f', '-'], { input: rules.join('\n') });
  }

  heal(): void {
    try {
      execFileSync('nft', ['delete', 'table', 'inet', this.table], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
  }
}
