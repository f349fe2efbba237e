import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ProbeTarget } from '../monitoring/probe.js';
import type { DesiredInstance, InstanceState } from '../report/hub-client.js';
import type { ManagedInstance, RuntimeContext } from './instance.js';
import { instancePaths, type InstancePaths } from './replica-config.js';

/**
 * An `external` instance: an endpoint that runs elsewhere (a real Qdrant node), registered with
 * the CA that signs its certificate. The agent runs nothing; it health-checks the endpoint (trusting
 * only that CA) and reports it, so the hub can route to it. Health changes go to the instance log.
 */
export class ExternalInstance extends EventEmitter implements ManagedInstance {
  readonly paths: InstancePaths;
  private _state: InstanceState = 'stopped';
  private since: number | undefined;

  constructor(
    readonly spec: DesiredInstance,
    ctx: RuntimeContext,
  ) {
    super();
    this.paths = instancePaths(ctx.agentDataDir, spec.id);
  }

  get state(): InstanceState {
    return this._state;
  }

  start(): void {
    this._state = 'starting';
    this.log(`watching external endpoint ${this.spec.spec.endpoint?.url ?? '(none)'}`);
    this.emit('change');
  }

  async stop(): Promise<void> {
    this._state = 'stopped';
    this.log('no longer watched');
    this.emit('change');
  }

  target(): ProbeTarget | undefined {
    const e = this.spec.spec.endpoint;
    if (!e || this._state === 'stopped') return undefined;
    return { url: e.url, ca: e.ca, ...(e.serverName !== undefined ? { serverName: e.serverName } : {}) };
  }

  readyWithoutProbe(): boolean {
    return false;
  }

  certificate(): undefined {
    return undefined;
  }

  healthChanged(healthy: boolean): void {
    this.log(healthy ? 'endpoint healthy' : 'endpoint unhealthy');
    if (healthy && this._state === 'starting') {
      this._state = 'running';
      this.since = Date.now();
      this.emit('change');
    }
  }

  report() {
    const url = this.spec.spec.endpoint?.url;
    return {
      id: this.spec.id,
      state: this._state,
      restarts: 0,
      ...(url !== undefined && this._state === 'running' ? { url } : {}),
      ...(this.since !== undefined ? { startedAt: new Date(this.since).toISOString() } : {}),
    };
  }

  private log(line: string): void {
    try {
      mkdirSync(dirname(this.paths.logFile), { recursive: true });
      writeFileSync(this.paths.logFile, `[phoenix-agent ${new Date().toISOString()}] ${line}\n`, { flag: 'a' });
    } catch {
      /* logging must not break anything */
    }
  }
}
