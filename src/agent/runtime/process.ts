import { EventEmitter } from 'node:events';
import type { Logger } from '../../core/log.js';
import { errorMessage } from '../../core/errors.js';
import { SupervisedChild } from '../../core/child.js';
import type { DesiredInstance, ReportedInstance } from '../report/hub-client.js';
import { instancePaths, writeReplicaConfig } from './replica-config.js';

export interface ProcessRuntimeOptions {
  agentDataDir: string;
  trustDomain: string;
  advertiseAddress: string;
  ca: { url: string; rootFile: string };
  /** The Node script run as `<phoenixBin> run vector --config <file>`. */
  phoenixBin: string;
  stopGraceMs: number;
  readyTimeoutMs: number;
  /** A fresh one-time CA token for an instance (asked of the hub before every start). */
  token: (instanceId: string) => Promise<string>;
  logger: Logger;
}

interface Managed {
  spec: DesiredInstance;
  child: SupervisedChild;
  startedAt: number | undefined;
}

/**
 * The `process` runtime for `embedded` instances: one supervised child per instance, restarted
 * always with backoff. Before every (re)start it gets a fresh token and rewrites the replica's
 * config; the data directory stays the same, so data survives a crash. Emits `change` whenever an
 * instance changes state.
 */
export class ProcessRuntime extends EventEmitter {
  private readonly managed = new Map<string, Managed>();
  private readonly stopping = new Map<string, Promise<void>>();

  constructor(private readonly o: ProcessRuntimeOptions) {
    super();
  }

  static readonly RUNTIMES: readonly string[] = ['embedded'];

  ids(): string[] {
    return [...this.managed.keys()];
  }

  /** Starts the instance unless it already runs (or is still stopping: the next sync retries). */
  ensure(spec: DesiredInstance): void {
    if (this.managed.has(spec.id) || this.stopping.has(spec.id)) return;
    const paths = instancePaths(this.o.agentDataDir, spec.id);
    const child = new SupervisedChild(
      {
        name: spec.id,
        modulePath: this.o.phoenixBin,
        args: [],
        logFile: paths.logFile,
        restart: 'always',
        readyTimeoutMs: this.o.readyTimeoutMs,
        beforeStart: async () => {
          const token = await this.o.token(spec.id);
          const configFile = writeReplicaConfig({ id: spec.id, trustDomain: this.o.trustDomain, advertiseAddress: this.o.advertiseAddress, ca: this.o.ca, token, paths });
          return { args: ['run', 'vector', '--config', configFile] };
        },
      },
      this.o.logger,
    );
    const entry: Managed = { spec, child, startedAt: undefined };
    this.managed.set(spec.id, entry);
    child.on('ready', () => {
      entry.startedAt = Date.now();
      this.changed();
    });
    child.on('exit', () => {
      entry.startedAt = undefined;
      this.changed();
    });
    child.on('restarting', () => this.changed());
    this.o.logger.info({ instance: spec.id, identity: spec.identity }, 'starting instance');
    child.start().catch((err: unknown) => this.o.logger.warn({ instance: spec.id, err: errorMessage(err) }, 'instance did not start; retrying with backoff'));
    this.changed();
  }

  /** Stops an instance (SIGTERM, then SIGKILL after the grace period) and forgets it. */
  stop(id: string): Promise<void> {
    const pending = this.stopping.get(id);
    if (pending) return pending;
    const entry = this.managed.get(id);
    if (!entry) return Promise.resolve();
    this.managed.delete(id);
    this.o.logger.info({ instance: id }, 'stopping instance');
    const done = entry.child
      .stop(this.o.stopGraceMs)
      .catch((err: unknown) => this.o.logger.error({ instance: id, err: errorMessage(err) }, 'stopping instance failed'))
      .finally(() => {
        this.stopping.delete(id);
        entry.child.removeAllListeners();
        this.changed();
      });
    this.stopping.set(id, done);
    return done;
  }

  /** What runs here now, for the hub. */
  report(): ReportedInstance[] {
    return [...this.managed.values()].map(({ spec, child, startedAt }) => {
      const url = child.ready?.endpoints['api'];
      const r: ReportedInstance = { id: spec.id, state: child.state, restarts: child.restarts };
      if (child.pid !== undefined) r.pid = child.pid;
      if (url !== undefined) r.url = url;
      if (startedAt !== undefined) r.startedAt = new Date(startedAt).toISOString();
      return r;
    });
  }

  /** Stops every instance and waits for them to exit. */
  async close(): Promise<void> {
    await Promise.all([...this.ids().map((id) => this.stop(id)), ...this.stopping.values()]);
  }

  private changed(): void {
    this.emit('change');
  }
}
