/**
 * The console's side of the hub API: same-origin fetches with the session cookie, the CSRF token on
 * every state-changing request, and RFC 9457 problems turned into ApiError.
 */
import type { InstanceFields } from '../../instance-fields';

export interface StackIssue {
  line?: number;
  column?: number;
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly errors: StackIssue[] = [],
  ) {
    super(message);
  }
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown, options: { yaml?: boolean; quiet401?: boolean } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = options.yaml ? 'application/yaml' : 'application/json';
    payload = options.yaml ? String(body) : JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload ?? null, credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const p = (json ?? {}) as { code?: string; detail?: string; errors?: StackIssue[] };
    if (res.status === 401 && !options.quiet401) onUnauthenticated();
    throw new ApiError(res.status, p.code ?? `HTTP_${res.status}`, p.detail ?? (text || res.statusText), p.errors ?? []);
  }
  return json as T;
}

export const get = <T,>(path: string) => api<T>('GET', path);

// --- wire types (what the hub answers) -----------------------------------------------------------

export type Role = 'viewer' | 'operator' | 'admin';

export interface Me {
  username: string;
  role: Role;
  kind: 'session' | 'token';
  csrfToken: string | null;
  hub: { name: string; version: string; trustDomain: string };
}

export interface RoleStatus {
  role: string;
  name: string;
  healthy: boolean;
  detail: string;
  lastSeenAt: string | null;
}

export interface Rollout {
  id: number;
  stack: string;
  fromVersion: number | null;
  toVersion: number;
  kind: string;
  state: string;
  detail: string;
  pending: string[];
  current: string[];
  done: string[];
  startedAt: string;
  finishedAt: string | null;
  actor: string;
}

export interface ServiceSummary {
  name: string;
  runtime: string;
  replicas: number;
  labels: Record<string, string>;
  router: { hosts: string[]; default: boolean };
  healthcheck: { path: string; intervalMs: number; timeoutMs: number };
  update: { parallelism: number; monitorMs: number; drainMs: number; failureAction: string };
}

export interface Stack {
  name: string;
  version: number;
  yaml: string;
  createdAt: string;
  author: string | null;
  note: string | null;
  services: ServiceSummary[];
  rollout?: Rollout | null;
  webhook?: { createdAt: string } | null;
}

export interface StackVersion {
  name: string;
  version: number;
  createdAt: string;
  author: string | null;
  note: string | null;
  yaml?: string;
}

/** An instance as `GET /api/instances` answers it (the server's shape, timestamps as ISO strings). */
export type Instance = InstanceFields<string>;

export interface AgentView {
  name: string;
  version: string;
  versionMatches: boolean | null;
  lastHeartbeatAt: string;
  firstSeenAt: string;
  host: {
    hostname: string;
    platform: string;
    cpus: number;
    memoryBytes: number;
    memoryFreeBytes?: number;
    loadAverage?: number[];
    cpuModel?: string;
    arch?: string;
    release?: string;
    uptimeSeconds?: number;
    nodeVersion?: string;
    disk?: { path: string; totalBytes: number; freeBytes: number };
  };
  advertiseAddress: string;
  healthy: boolean;
  detail: string;
  certificate: { serial: string; notAfter: string | null } | null;
}

export interface Status {
  hub: { name: string; version: string };
  roles: RoleStatus[];
  stacks: Array<Omit<Stack, 'yaml'>>;
  instances: Instance[];
  rollouts: Rollout[];
}
