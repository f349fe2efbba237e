import type { Dispatcher } from 'undici';
import { request } from 'undici';
import { z } from 'zod';
import { errorMessage, PhoenixError, UnavailableError } from '../../core/errors.js';
import type { HostFacts } from '../host.js';

/** What the agent tells the hub on every sync. */
export interface SyncRequest {
  agent: { name: string; version: string; advertiseAddress: string; syncIntervalMs: number; host: HostFacts };
  instances: ReportedInstance[];
}

export type InstanceState = 'starting' | 'running' | 'backoff' | 'stopped' | 'failed';

export interface ReportedInstance {
  id: string;
  state: InstanceState;
  pid?: number;
  url?: string;
  restarts: number;
  /** ISO 8601. */
  startedAt?: string;
}

const desiredSchema = z.object({
  instances: z.array(
    z.object({
      id: z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/),
      stack: z.string(),
      service: z.string(),
      runtime: z.string(),
      identity: z.string(),
    }),
  ),
});
export type DesiredInstance = z.output<typeof desiredSchema>['instances'][number];

const tokenSchema = z.object({ token: z.string().min(1) });

/** The hub answered with an error (its problem+json detail is kept). */
export class HubRefusedError extends PhoenixError {
  constructor(status: number, detail: string) {
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

  /** Reports what runs here; answers with what should. */
  async sync(body: SyncRequest, signal?: AbortSignal): Promise<DesiredInstance[]> {
    return desiredSchema.parse(await this.post('/api/agent/sync', body, signal)).instances;
  }

  /** A one-time CA token for an instance assigned to this agent. */
  async token(instance: string, signal?: AbortSignal): Promise<string> {
    return tokenSchema.parse(await this.post('/api/agent/token', { instance }, signal)).token;
  }

  private async post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    let res: Dispatcher.ResponseData;
    try {
      res = await request(new URL(path, this.hubUrl), {
        method: 'POST',
        dispatcher: this.dispatcher,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      throw new UnavailableError('AGENT_HUB_UNREACHABLE', `hub at ${this.hubUrl} is unreachable: ${errorMessage(err)}`, { cause: err });
    }
    const text = await res.body.text();
    if (res.statusCode >= 400) {
      let detail = text;
      try {
        detail = (JSON.parse(text) as { detail?: string }).detail ?? text;
      } catch {
        /* not problem+json */
      }
      throw new HubRefusedError(res.statusCode, `hub ${path} answered ${res.statusCode}: ${detail}`);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new HubRefusedError(502, `hub ${path} answered with something other than JSON`);
    }
  }
}
