import { Agent, buildConnector } from 'undici';
import type { PeerCertificate } from 'node:tls';
import type { TlsIdentity } from './identity.js';
import { identityOfCertificate, type IdentityPolicy } from './spiffe.js';
import { revocationListOf } from './crl.js';

export interface MtlsAgentOptions {
  /** Identities the server must present; anything else fails the connection. */
  serverPolicy: IdentityPolicy;
  /** Passed to undici's Agent (pool sizes, timeouts, keep-alive). */
  agent?: Omit<Agent.Options, 'connect'>;
}

/**
 * An undici Agent that connects with this process's current certificate, trusts only our roots,
 * and accepts a server only if its SPIFFE identity is allowed (the SPIFFE check replaces the
 * hostname check: backends are reached by address and authenticated by identity).
 * New connections after a renewal use the new certificate; pooled ones keep going. A server whose
 * certificate is on the identity's revocation list (if one is attached) is refused.
 */
export function createMtlsAgent(identity: TlsIdentity, options: MtlsAgentOptions): Agent {
  const checkServerIdentity = (_host: string, cert: PeerCertificate): Error | undefined => {
    const id = identityOfCertificate(cert);
    if (revocationListOf(identity)?.isRevoked(cert.serialNumber)) return new Error(`server certificate ${cert.serialNumber} (${id?.uri ?? 'no identity'}) is revoked`);
    if (options.serverPolicy.allows(id)) return undefined;
    return new Error(`server identity ${id?.uri ?? '(none)'} is not allowed; expected ${options.serverPolicy.describe()}`);
  };
  const build = () =>
    buildConnector({
      key: identity.current.keyPem,
      cert: identity.current.chainPem,
      ca: identity.rootPem,
      rejectUnauthorized: true,
      checkServerIdentity,
    } as buildConnector.BuildOptions);
  let connector = build();
  const unsubscribe = identity.onRenewed(() => {
    connector = build();
  });
  const agent = new Agent({
    ...options.agent,
    connect: (opts, callback) => connector(opts, callback),
  });
  const close = agent.close.bind(agent);
  agent.close = ((...args: unknown[]) => {
    unsubscribe();
    return (close as (...a: unknown[]) => unknown)(...args);
  }) as typeof agent.close;
  return agent;
}
