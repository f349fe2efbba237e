import { createHash } from 'node:crypto';
import { spiffeUri } from '../../core/tls/spiffe.js';
import { routingOf, type RestartPolicy, type Runtime, type Service, type Stack } from './schema.js';

/** What an agent needs to run (or, for `external`, to watch) one instance. */
export interface RuntimeSpec {
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  resources?: { memoryBytes?: number; files?: number; processes?: number; nice?: number };
  restart: RestartPolicy;
  healthcheck: { path: string; intervalMs: number; timeoutMs: number; retries: number; startPeriodMs: number };
  /** runtime external: the endpoint this instance stands for. */
  endpoint?: { url: string; ca: string; serverName?: string };
}

/** One replica a stack asks for: `<stack>-<service>-<n>`, n from 1. */
export interface InstanceSpec {
  id: string;
  stack: string;
  service: string;
  slot: number;
  runtime: Runtime;
  spec: RuntimeSpec;
}

export function instanceId(stack: string, service: string, n: number): string {
  return `${stack}-${service}-${n}`;
}

/** `<stack>-<service>-<n>` back into its parts (stack names have no `-`); undefined when it is not one. */
export function parseInstanceId(id: string): { stack: string; service: string; slot: number } | undefined {
  const m = /^([a-z0-9][a-z0-9_]{0,62})-([a-z0-9][a-z0-9_-]{0,62})-([1-9][0-9]{0,2})$/.exec(id);
  return m ? { stack: m[1] as string, service: m[2] as string, slot: Number(m[3]) } : undefined;
}

export function vectorIdentity(trustDomain: string, instance: string): string {
  return spiffeUri(trustDomain, 'vector', instance);
}

export function runtimeSpecOf(service: Service, slot: number): RuntimeSpec {
  const h = service.healthcheck;
  const spec: RuntimeSpec = {
    restart: service.restart,
    healthcheck: { path: h.path, intervalMs: h.interval, timeoutMs: h.timeout, retries: h.retries, startPeriodMs: h.startPeriod },
  };
  if (service.command !== undefined) spec.command = service.command;
  if (service.args !== undefined) spec.args = service.args;
  if (service.env !== undefined) spec.env = service.env;
  if (service.resources !== undefined) {
    const r = service.resources;
    spec.resources = {
      ...(r.memory !== undefined ? { memoryBytes: r.memory } : {}),
      ...(r.files !== undefined ? { files: r.files } : {}),
      ...(r.processes !== undefined ? { processes: r.processes } : {}),
      ...(r.nice !== undefined ? { nice: r.nice } : {}),
    };
  }
  const endpoint = service.endpoints?.[slot - 1];
  if (endpoint) spec.endpoint = { url: endpoint.url, ca: endpoint.ca, ...(endpoint.serverName !== undefined ? { serverName: endpoint.serverName } : {}) };
  return spec;
}

/** The instances one service asks for. */
export function serviceInstances(stack: string, service: string, spec: Service): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (let n = 1; n <= spec.replicas; n++) out.push({ id: instanceId(stack, service, n), stack, service, slot: n, runtime: spec.runtime, spec: runtimeSpecOf(spec, n) });
  return out;
}

/** Every instance the given stacks ask for, in a stable order. */
export function desiredInstances(stacks: readonly Stack[]): InstanceSpec[] {
  return stacks.flatMap((stack) => Object.entries(stack.services).flatMap(([name, svc]) => serviceInstances(stack.name, name, svc)));
}

/** Stable JSON: object keys sorted, so equal specs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What decides whether a running instance must be restarted to match: its runtime, its runtime
 * spec, and the stack's redeploy generation (a webhook bumps it). Labels and the update policy are
 * not part of it: changing them needs no restart.
 */
export function specHash(runtime: Runtime, spec: RuntimeSpec, generation: number): string {
  return createHash('sha256').update(canonical({ runtime, spec, generation })).digest('hex').slice(0, 16);
}

/** A service as the router sees it (without backends). */
export interface RoutedService {
  name: string;
  stack: string;
  hosts: string[];
  default: boolean;
  healthCheck: { path: string; intervalMs: number; timeoutMs: number };
}

export function routedServices(stacks: readonly Stack[]): RoutedService[] {
  const out: RoutedService[] = [];
  for (const stack of stacks) {
    for (const [name, spec] of Object.entries(stack.services)) {
      const routing = routingOf(spec);
      out.push({
        name,
        stack: stack.name,
        hosts: routing.hosts,
        default: routing.default,
        healthCheck: { path: spec.healthcheck.path, intervalMs: spec.healthcheck.interval, timeoutMs: spec.healthcheck.timeout },
      });
    }
  }
  return out;
}
