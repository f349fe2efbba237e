import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { z } from 'zod';
import { errorMessage, PhoenixError, UnavailableError } from '../../core/errors.js';
import type { HostFacts } from '../host.js';
import type { InstanceCounters } from '../monitoring/prometheus.js';

/** What the agent tells the hub on every sync. */
export interface SyncRequest {
  agent: { name: string; version: string; advertiseAddress: string; syncIntervalMs: number; host: HostFacts };
  instances: ReportedInstance[];
}

export type InstanceState = 'starting' | 'running' | 'backoff' | 'stopped' | 'failed';
export type HealthStatus = 'healthy' | 'unhealthy' | 'starting' | 'unknown';

export interface ReportedInstance {
  id: string;
  state: InstanceState;
  pid?: number;
  url?: string;
  restarts: number;
  /** ISO 8601. */
  startedAt?: string;
  specHash?: string;
  health?: { status: HealthStatus; detail: string; checkedAt?: string };
  origin?: 'hub' | 'found';
  runtime?: string;
  spec?: Record<string, unknown>;
  lastExit?: { code: number | null; signal: string | null; at: string };
  metrics?: InstanceCounters;
  certificate?: { serial: string; notAfter: string; identity: string };
  /** The replica's replication status (relayed from the replica to the hub). */
  replication?: Record<string, unknown>;
}

const runtimeSpecSchema = z.object({
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  resources: z.object({ memoryBytes: z.number().optional(), files: z.number().optional(), processes: z.number().optional(), nice: z.number().optional() }).optional(),
  restart: z.enum(['always', 'on-failure', 'never']).default('always'),
  healthcheck: z
    .object({ path: z.string(), intervalMs: z.number(), timeoutMs: z.number(), retries: z.number().default(3), startPeriodMs: z.number().default(0) })
    .default({ path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 }),
  endpoint: z.object({ url: z.string(), ca: z.string(), serverName: z.string().optional() }).optional(),
});

export const desiredInstanceSchema = z.object({
  id: z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/),
  stack: z.string(),
  service: z.string(),
  runtime: z.string(),
  identity: z.string(),
  specHash: z.string().default(''),
  spec: runtimeSpecSchema.default({ restart: 'always', healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } }),
});
export type DesiredInstance = z.output<typeof desiredInstanceSchema>;
export type RuntimeSpec = DesiredInstance['spec'];

const syncAnswerSchema = z.object({
  instances: z.array(desiredInstanceSchema),
  keep: z.array(z.string()).default([]),
  /** Replicas' replication assignments, relayed to them (`replication/relay.ts`). */
  replication: z.record(z.string(), z.unknown()).optional(),
});
export type SyncAnswer = z.output<typeof syncAnswerSchema>;

const tokenSchema = z.object({ token: z.string().min(1) });

export const commandSchema = z.object({ id: z.string(), type: z.literal('tail'), session: z.string(), instance: z.string(), lines: z.number().int().min(0), follow: z.boolean() });
export type AgentCommand = z.output<typeof commandSchema>;
const commandsSchema = z.object({ commands: z.array(z.unknown()) });

/** The hub answered with an error (its problem+json detail is kept). */
export class HubRefusedError extends PhoenixError {
  constructor(
    status: number,
    detail: string,
    readonly problemCode: string | undefined,
  ) {
    super('AGENT_HUB_REFUSED', status, detail);
  }
}

/** The agent's side of the hub API, over mTLS (the dispatcher checks the hub's identity). */
export class HubClient {
  constructor(
    private readonly hubUrl: string,
    private readonly dispatcher: Dispatcher,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Reports what runs here; answers with what should run, and which unmanaged instances to keep. */
  async sync(body: SyncRequest, signal?: AbortSignal): Promise<SyncAnswer> {
    return syncAnswerSchema.parse(await this.post('/api/agent/sync', body, signal));
  }

  /** A one-time CA token for an instance assigned to this agent. */
  async token(instance: string, signal?: AbortSignal): Promise<string> {
    return tokenSchema.parse(await this.post('/api/agent/token', { instance }, signal)).token;
  }

  /** Long poll for commands; unknown command types are skipped. */
  async commands(waitMs: number, signal?: AbortSignal): Promise<AgentCommand[]> {
    const raw = commandsSchema.parse(await this.post('/api/agent/commands', { waitMs }, signal, waitMs + this.timeoutMs)).commands;
    return raw.flatMap((c) => {
      const parsed = commandSchema.safeParse(c);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** Ships log lines of a tail session; answers whether the viewer is still there. */
  async logs(body: { session: string; lines: string[]; eof?: boolean; error?: string }, signal?: AbortSignal): Promise<boolean> {
    const res = (await this.post('/api/agent/logs', body, signal)) as { open?: unknown };
    return res.open === true;
  }

  private async post(path: string, body: unknown, signal?: AbortSignal, timeoutMs = this.timeoutMs): Promise<unknown> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(new URL(path, this.hubUrl), {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw new UnavailableError('AGENT_HUB_UNREACHABLE', `hub at ${this.hubUrl} is unreachable: ${errorMessage(err)}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let detail = text;
      let code: string | undefined;
      try {
        const problem = JSON.parse(text) as { detail?: string; code?: string };
        detail = problem.detail ?? text;
        code = problem.code;
      } catch {
        /* not problem+json */
      }
      throw new HubRefusedError(res.statusCode, `hub ${path} answered ${res.statusCode}: ${detail}`, code);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HubRefusedError(502, `hub ${path} answered with something other than JSON`, undefined);
    }
  }
}
