import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { setPriority } from 'node:os';
import { SupervisedChild } from '../../core/child.js';
import { errorMessage } from '../../core/errors.js';
import type { ProbeTarget } from '../monitoring/probe.js';
import type { DesiredInstance, InstanceState } from '../report/hub-client.js';
import { certificateOf, exitWire, type ExitRecord, type ManagedInstance, type RuntimeContext } from './instance.js';
import { instancePaths, writeReplicaConfig, type InstancePaths } from './replica-config.js';

/**
 * An `embedded` instance: Phoenix's vector engine as a supervised child (`phoenix run vector`),
 * restarted by its restart policy with backoff. Before every start it gets a fresh one-time token
 * and rewrites the replica's config; the data directory stays, so data survives a crash. A memory
 * limit becomes the engine's heap limit; `nice` lowers its scheduling priority.
 */
export class EmbeddedInstance extends EventEmitter implements ManagedInstance {
  readonly paths: InstancePaths;
  private child: SupervisedChild | undefined;
  private startedAt: number | undefined;
  private lastExit: ExitRecord | undefined;

  constructor(
    readonly spec: DesiredInstance,
    private readonly ctx: RuntimeContext,
  ) {
    super();
    this.paths = instancePaths(ctx.agentDataDir, spec.id);
  }

  get state(): InstanceState {
    return this.child?.state ?? 'stopped';
  }

  start(): void {
    const { spec, ctx, paths } = this;
    const memory = spec.spec.resources?.memoryBytes;
    const env: Record<string, string> = { ...(spec.spec.env ?? {}) };
    if (memory !== undefined) env['NODE_OPTIONS'] = `${env['NODE_OPTIONS'] ?? ''} --max-old-space-size=${Math.max(16, Math.floor(memory / (1024 * 1024)))}`.trim();
    const child = new SupervisedChild(
      {
        name: spec.id,
        modulePath: ctx.phoenixBin,
        args: [],
        env,
        logFile: paths.logFile,
        restart: spec.spec.restart,
        readyTimeoutMs: ctx.readyTimeoutMs,
        beforeStart: async () => {
          const token = await ctx.token(spec.id);
          const configFile = writeReplicaConfig({ id: spec.id, trustDomain: ctx.trustDomain, advertiseAddress: ctx.advertiseAddress, ca: ctx.ca, token, paths });
          return { args: ['run', 'vector', '--config', configFile] };
        },
      },
      ctx.logger,
    );
    this.child = child;
    child.on('ready', () => {
      this.startedAt = Date.now();
      const nice = spec.spec.resources?.nice;
      if (nice !== undefined && child.pid !== undefined) {
        try {
          setPriority(child.pid, nice);
        } catch (err) {
          ctx.logger.warn({ instance: spec.id, err: errorMessage(err) }, 'cannot set the instance’s priority');
        }
      }
      this.emit('change');
    });
    child.on('exit', (code: number | null, signal: string | null) => {
      this.startedAt = undefined;
      this.lastExit = { code, signal, at: Date.now() };
      this.emit('change');
    });
    child.on('restarting', () => this.emit('change'));
    ctx.logger.info({ instance: spec.id, identity: spec.identity }, 'starting instance');
    child.start().catch((err: unknown) => ctx.logger.warn({ instance: spec.id, err: errorMessage(err) }, 'instance did not start; retrying with backoff'));
    this.emit('change');
  }

  async stop(graceMs: number): Promise<void> {
    await this.child?.stop(graceMs);
    this.child?.removeAllListeners();
  }

  target(): ProbeTarget | undefined {
    const url = this.child?.ready?.endpoints['api'];
    if (!url) return undefined;
    const creds = this.credentials();
    return { url, ca: this.ctx.rootPem, identity: this.spec.identity, ...(creds ?? {}) };
  }

  readyWithoutProbe(): boolean {
    return this.state === 'running' && this.credentials() === undefined;
  }

  certificate() {
    const creds = this.credentials();
    return creds ? certificateOf(creds.cert, this.spec.identity) : undefined;
  }

  healthChanged(): void {
    /* the engine reports readiness itself; health is reported beside it */
  }

  report() {
    const child = this.child;
    const url = child?.ready?.endpoints['api'];
    const lastExit = exitWire(this.lastExit);
    return {
      id: this.spec.id,
      state: this.state,
      restarts: child?.restarts ?? 0,
      ...(child?.pid !== undefined ? { pid: child.pid } : {}),
      ...(url !== undefined ? { url } : {}),
      ...(this.startedAt !== undefined ? { startedAt: new Date(this.startedAt).toISOString() } : {}),
      ...(lastExit ? { lastExit } : {}),
    };
  }

  /** The replica's own key and certificate, which it writes for us (absent until its first start). */
  private credentials(): { key: string; cert: string } | undefined {
    if (!existsSync(this.paths.tlsKey) || !existsSync(this.paths.tlsCert)) return undefined;
    try {
      return { key: readFileSync(this.paths.tlsKey, 'utf8'), cert: readFileSync(this.paths.tlsCert, 'utf8') };
    } catch {
      return undefined;
    }
  }
}
