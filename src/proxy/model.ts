/**
 * The dynamic configuration model shared by the gateway and the router (Traefik's model, reduced):
 * providers emit full snapshots of routers and services; the proxy builds a handler table from a
 * snapshot and swaps it in one assignment. Names are `name@provider`.
 */
export interface DynamicConfig {
  routers: Record<string, RouterSpec>;
  services: Record<string, ServiceSpec>;
}

export interface RouterSpec {
  /** Rule text, e.g. ``Host(`qdrant`)`` or ``PathPrefix(`/`)``. */
  rule: string;
  /** Service name (resolved within the same provider unless it has an `@provider`). */
  service: string;
  /** Higher wins; default is the rule's length, as in Traefik. */
  priority?: number;
}

export interface ServiceSpec {
  servers: ServerSpec[];
  healthCheck?: HealthCheckSpec;
}

export interface ServerSpec {
  /** `https://host:port` */
  url: string;
  /** The SPIFFE identity the server must present. */
  identity: string;
}

export interface HealthCheckSpec {
  path: string;
  intervalMs: number;
  timeoutMs: number;
}

export function emptyConfig(): DynamicConfig {
  return { routers: {}, services: {} };
}
