import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { errorMessage } from '../../core/errors.js';
import { HealthTracker } from '../monitoring/health.js';
import { requestCounters, type InstanceCounters } from '../monitoring/prometheus.js';
import { probe } from '../monitoring/probe.js';
import { desiredInstanceSchema, type DesiredInstance, type ReportedInstance } from '../report/hub-client.js';
import type { Runtime } from '../reconcile.js';
import { EmbeddedInstance } from './embedded.js';
import { ExternalInstance } from './external.js';
import type { ManagedInstance, RuntimeContext } from './instance.js';
import { instancePaths } from './replica-config.js';
import { WorkloadInstance } from './workload.js';

interface Held {
  instance: ManagedInstance;
  origin: 'hub' | 'found';
  health: HealthTracker;
  nextHealthAt: number;
  nextMetricsAt: number;
  metrics: InstanceCounters | undefined;
  probing: boolean;
}

export interface ManagerOptions extends RuntimeContext {
  stopGraceMs: number;
  metricsIntervalMs: number;
}

/**
 * Every instance this agent holds, of every runtime: starts, replaces and stops them as
 * reconciliation asks; health-checks each on its stack's interval and reads its `/metrics`;
 * remembers each one's spec on disk, so after an agent restart it finds them again (and runs
 * them, as `found`, until the hub claims them or says to stop). Emits `change` on state changes.
 */
export class InstanceManager extends EventEmitter implements Runtime {
  static readonly RUNTIMES: readonly string[] = ['embedded', 'process', 'external'];
  private readonly items = new Map<string, Held>();
  private readonly stopping = new Map<string, Promise<void>>();
  /** Replacements to drop: the hub stopped wanting the instance while it was being replaced. */
  private readonly cancelled = new Set<string>();

  constructor(private readonly o: ManagerOptions) {
    super();
  }

  /** Starts the instances remembered on disk (an agent restart), as `found`. */
  resumeFound(): string[] {
    const dir = join(resolve(this.o.agentDataDir), 'instances');
    if (!existsSync(dir)) return [];
    const started: string[] = [];
    for (const id of readdirSync(dir)) {
      const file = instancePaths(this.o.agentDataDir, id).specFile;
      if (!existsSync(file) || this.items.has(id)) continue;
      try {
        const spec = desiredInstanceSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
        if (spec.id !== id || !InstanceManager.RUNTIMES.includes(spec.runtime)) continue;
        this.launch(spec, 'found');
        started.push(id);
      } catch (err) {
        this.o.logger.warn({ instance: id, err: errorMessage(err) }, 'cannot read a remembered instance; leaving it');
      }
    }
    return started;
  }

  // Runtime (reconcile) -----------------------------------------------------------------------

  held(): Array<{ id: string; specHash: string; origin: 'hub' | 'found' }> {
    return [...this.items.entries()].map(([id, h]) => ({ id, specHash: h.instance.spec.specHash, origin: h.origin }));
  }

  start(spec: DesiredInstance): void {
    if (this.items.has(spec.id) || this.stopping.has(spec.id)) return;
    this.launch(spec, 'hub');
  }

  replace(spec: DesiredInstance): void {
    if (this.stopping.has(spec.id)) return;
    this.o.logger.info({ instance: spec.id, specHash: spec.specHash }, 'replacing instance with its new spec');
    const done = this.halt(spec.id).then(() => {
      this.stopping.delete(spec.id);
      if (this.cancelled.delete(spec.id)) {
        rmSync(instancePaths(this.o.agentDataDir, spec.id).specFile, { force: true });
        return;
      }
      this.launch(spec, 'hub');
    });
    this.stopping.set(spec.id, done);
  }

  claim(spec: DesiredInstance): void {
    const h = this.items.get(spec.id);
    if (!h) return;
    h.origin = 'hub';
    this.remember(spec);
  }

  /** Stops an instance the hub no longer wants and forgets it (its data directory stays). */
  stop(id: string): Promise<void> {
    const pending = this.stopping.get(id);
    if (pending) {
      this.cancelled.add(id);
      return pending;
    }
    const done = this.halt(id).then(() => {
      rmSync(instancePaths(this.o.agentDataDir, id).specFile, { force: true });
      this.stopping.delete(id);
      this.changed();
    });
    this.stopping.set(id, done);
    return done;
  }

  /** What runs here now, for the hub. */
  report(): ReportedInstance[] {
    return [...this.items.entries()].map(([, h]) => {
      const i = h.instance;
      const r: ReportedInstance = { ...i.report(), specHash: i.spec.specHash, runtime: i.spec.runtime, origin: h.origin, health: h.health.report() };
      if (h.origin === 'found') r.spec = i.spec.spec as Record<string, unknown>;
      if (h.metrics) r.metrics = h.metrics;
      const cert = i.certificate();
      if (cert) r.certificate = cert;
      return r;
    });
  }

  logFileOf(id: string): string {
    return instancePaths(this.o.agentDataDir, id).logFile;
  }

  /** Health checks and metrics reads, each instance on its own interval, until `signal` aborts. */
  async probeLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const now = Date.now();
      for (const h of this.items.values()) if (!h.probing && (now >= h.nextHealthAt || now >= h.nextMetricsAt)) void this.probeOne(h, now);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops every instance (the agent is stopping); they are found again at the next start. */
  async close(): Promise<void> {
    await Promise.all([...[...this.items.keys()].map((id) => this.halt(id)), ...this.stopping.values()]);
  }

  // -------------------------------------------------------------------------------------------

  private launch(spec: DesiredInstance, origin: 'hub' | 'found'): void {
    const instance = this.create(spec);
    const h: Held = { instance, origin, health: new HealthTracker(spec.spec.healthcheck), nextHealthAt: 0, nextMetricsAt: Date.now() + this.o.metricsIntervalMs, metrics: undefined, probing: false };
    this.items.set(spec.id, h);
    this.remember(spec);
    instance.on('change', () => {
      if (instance.state !== 'running' && instance.state !== 'starting') h.health.reset();
      this.changed();
    });
    instance.start();
  }

  private create(spec: DesiredInstance): ManagedInstance {
    switch (spec.runtime) {
      case 'process':
        return new WorkloadInstance(spec, this.o);
      case 'external':
        return new ExternalInstance(spec, this.o);
      default:
        return new EmbeddedInstance(spec, this.o);
    }
  }

  private async halt(id: string): Promise<void> {
    const h = this.items.get(id);
    if (!h) return;
    this.items.delete(id);
    this.o.logger.info({ instance: id }, 'stopping instance');
    try {
      await h.instance.stop(this.o.stopGraceMs);
    } catch (err) {
      this.o.logger.error({ instance: id, err: errorMessage(err) }, 'stopping instance failed');
    }
    h.instance.removeAllListeners();
    this.changed();
  }

  private async probeOne(h: Held, now: number): Promise<void> {
    const target = h.instance.target();
    const check = h.instance.spec.spec.healthcheck;
    h.probing = true;
    try {
      if (now >= h.nextHealthAt) {
        h.nextHealthAt = now + check.intervalMs;
        if (!target) {
          if (h.instance.readyWithoutProbe()) this.recordHealth(h, true, 'ready (reported by the engine)');
        } else {
          try {
            const res = await probe(target, check.path, check.timeoutMs, 64 * 1024);
            this.recordHealth(h, res.status >= 200 && res.status < 300, `GET ${check.path} answered ${res.status}`);
          } catch (err) {
            this.recordHealth(h, h.instance.readyWithoutProbe(), `GET ${check.path} failed: ${errorMessage(err)}`);
          }
        }
      }
      if (target && now >= h.nextMetricsAt) {
        h.nextMetricsAt = now + this.o.metricsIntervalMs;
        try {
          const res = await probe(target, '/metrics', Math.max(check.timeoutMs, 2000));
          if (res.status === 200) h.metrics = requestCounters(res.body) ?? h.metrics;
        } catch {
          /* metrics are best effort */
        }
      }
    } finally {
      h.probing = false;
    }
  }

  private recordHealth(h: Held, ok: boolean, detail: string): void {
    if (!this.items.has(h.instance.spec.id)) return;
    if (h.health.record(ok, detail)) {
      h.instance.healthChanged(h.health.status === 'healthy');
      this.changed();
    }
  }

  private remember(spec: DesiredInstance): void {
    const file = instancePaths(this.o.agentDataDir, spec.id).specFile;
    try {
      mkdirSync(instancePaths(this.o.agentDataDir, spec.id).dir, { recursive: true, mode: 0o700 });
      writeFileSync(`${file}.tmp`, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.o.logger.warn({ instance: spec.id, err: errorMessage(err) }, 'cannot remember the instance spec');
    }
  }

  private changed(): void {
    this.emit('change');
  }
}
