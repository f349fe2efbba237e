import type { Agent } from 'undici';

/**
 * Connection-pool settings for upstream hops: keep-alive long enough to be reused under any load
 * (the peer's idle timeout is longer), no limit on connections per backend (a request never waits
 * behind another for a connection: no head-of-line queueing), and a connect timeout that fails a
 * dead backend fast. HTTP/1.1, not HTTP/2: multiplexing the hop over one HTTP/2 connection
 * (undici `allowH2` + node:http2) measured 3–5× more CPU per request here (docs/ROUTING.md).
 */
export function upstreamAgentOptions(): Omit<Agent.Options, 'connect'> {
  return {
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connectTimeout: 5000,
    pipelining: 1,
  };
}
