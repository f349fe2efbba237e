/** The URLs of one ACME provisioner, under the base the client used (`https://<host>/acme/<name>`). */
export class AcmeUrls {
  readonly base: string;

  constructor(origin: string, provisioner: string) {
    this.base = `${origin}/acme/${encodeURIComponent(provisioner)}`;
  }

  get directory(): string {
    return `${this.base}/directory`;
  }
  get newNonce(): string {
    return `${this.base}/new-nonce`;
  }
  get newAccount(): string {
    return `${this.base}/new-account`;
  }
  get newOrder(): string {
    return `${this.base}/new-order`;
  }
  get revokeCert(): string {
    return `${this.base}/revoke-cert`;
  }
  get keyChange(): string {
    return `${this.base}/key-change`;
  }
  account(id: string): string {
    return `${this.base}/account/${id}`;
  }
  orders(accountId: string): string {
    return `${this.base}/account/${accountId}/orders`;
  }
  order(id: string): string {
    return `${this.base}/order/${id}`;
  }
  finalize(id: string): string {
    return `${this.base}/order/${id}/finalize`;
  }
  authz(id: string): string {
    return `${this.base}/authz/${id}`;
  }
  challenge(id: string): string {
    return `${this.base}/challenge/${id}`;
  }
  certificate(id: string): string {
    return `${this.base}/certificate/${id}`;
  }

  /** The account id in a `kid` (an account URL of this provisioner), or undefined. */
  accountIdOf(kid: string): string | undefined {
    const prefix = `${this.base}/account/`;
    if (!kid.startsWith(prefix)) return undefined;
    const id = kid.slice(prefix.length);
    return /^[A-Za-z0-9_-]+$/.test(id) ? id : undefined;
  }
}
