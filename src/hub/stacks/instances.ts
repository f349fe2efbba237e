import { spiffeUri } from '../../core/tls/spiffe.js';
import { routingOf, type Runtime, type Stack } from './schema.js';

/** One replica a stack asks for: `<stack>-<service>-<n>`, n from 1. */
export interface InstanceSpec {
  id: string;
  stack: string;
  service: string;
  runtime: Runtime;
}

export function instanceId(stack: string, service: string, n: number): string {
  return `${stack}-${service}-${n}`;
}

export function vectorIdentity(trustDomain: string, instance: string): string {
  return spiffeUri(trustDomain, 'vector', instance);
}

/** Every instance the given stacks ask for, in a stable order. */
export function desiredInstances(stacks: readonly Stack[]): InstanceSpec[] {
  const out: InstanceSpec[] = [];
  for (const stack of stacks) {
    for (const [service, spec] of Object.entries(stack.services)) {
      for (let n = 1; n <= spec.replicas; n++) out.push({ id: instanceId(stack.name, service, n), stack: stack.name, service, runtime: spec.runtime });
    }
  }
  return out;
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
