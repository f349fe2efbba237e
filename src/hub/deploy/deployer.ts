import type { Logger } from '../../core/log.js';
import type { AuditLog } from '../audit.js';
import type { StackCatalog } from '../stacks/catalog.js';
import { serviceInstances, specHash, type InstanceSpec } from '../stacks/instances.js';
import type { Service } from '../stacks/schema.js';
import type { Rollout, RolloutKind, RolloutStore } from '../store/rollouts.js';
import type { Slot, SlotStore } from '../store/slots.js';

/** How an instance is doing, as its agent last reported it. */
export interface SlotHealth {
  state: string;
  specHash: string | null;
  healthy: boolean;
  detail: string;
}

/** A slot with the instance spec its pinned version asks for. */
export interface DesiredSlot {
  slot: Slot;
  spec: InstanceSpec;
  /** In the routers' feed: not draining, not retiring. */
  routable: boolean;
}

export interface DeployerOptions {
  catalog: StackCatalog;
  slots: SlotStore;
  rollouts: RolloutStore;
  audit: AuditLog;
  logger: Logger;
  /** The reported health of an instance (filled in once the fleet exists). */
  health: (instanceId: string) => SlotHealth | undefined;
}

/**
 * Deploy = reconcile the slots (what each instance should run) with the latest stack version.
 * New instances start at once, removed ones drain then stop, and instances whose runtime spec
 * changed are replaced by a rolling update: a batch at a time, each drained out of the routers'
 * feed before it restarts, and the next batch only once the replaced ones report healthy. An
 * instance that does not become healthy within the monitor time fails the update; by default the
 * hub then stores the previous version again and rolls back to it by itself.
 */
export class Deployer {
  private readonly switchedAt = new Map<string, number>();

  constructor(private readonly o: DeployerOptions) {}

  /** Makes the latest version of `stack` the deployment target; returns the rollout when instances must be replaced. */
  apply(stack: string, meta: { actor: string; kind: RolloutKind }, now = Date.now()): Rollout | undefined {
    const current = this.o.catalog.get(stack);
    const generation = this.o.catalog.store.generation(stack);
    const target = new Map<string, { spec: InstanceSpec; hash: string }>();
    for (const [name, svc] of Object.entries(current.stack.services)) {
      for (const spec of serviceInstances(stack, name, svc)) target.set(spec.id, { spec, hash: specHash(spec.runtime, spec.spec, generation) });
    }
    const active = this.o.rollouts.activeFor(stack);
    if (active) this.finish(active, 'superseded', `superseded by version ${current.version.version}`, now);
    const toRoll: string[] = [];
    let fromVersion: number | null = null;
    this.o.slots.transaction(() => {
      for (const slot of this.o.slots.ofStack(stack)) {
        const t = target.get(slot.instanceId);
        if (!t) {
          if (!slot.retiring) this.o.slots.put({ ...slot, retiring: true, drainingSince: now });
          continue;
        }
        if (slot.specHash === t.hash) {
          this.o.slots.put({ ...slot, version: current.version.version, drainingSince: null, retiring: false });
        } else {
          this.o.slots.put({ ...slot, drainingSince: null, retiring: false });
          fromVersion ??= slot.version;
          toRoll.push(slot.instanceId);
        }
      }
      for (const [id, t] of target) {
        if (this.o.slots.get(id)) continue;
        this.o.slots.put({ instanceId: id, stack, service: t.spec.service, version: current.version.version, specHash: t.hash, drainingSince: null, retiring: false });
      }
    });
    if (toRoll.length === 0) return undefined;
    const rollout = this.o.rollouts.create({
      stack,
      fromVersion,
      toVersion: current.version.version,
      kind: meta.kind,
      state: 'running',
      detail: `replacing ${toRoll.length} instance(s)`,
      pending: toRoll,
      current: [],
      done: [],
      stepStartedAt: null,
      startedAt: now,
      finishedAt: null,
      actor: meta.actor,
    });
    this.o.logger.info({ stack, rollout: rollout.id, from: fromVersion, to: rollout.toVersion, kind: meta.kind, instances: toRoll }, 'rolling update started');
    this.tick(now);
    return this.o.rollouts.get(rollout.id);
  }

  /** Every slot with its spec, for scheduling, agents and the routers' feed. */
  desired(): DesiredSlot[] {
    const out: DesiredSlot[] = [];
    for (const slot of this.o.slots.all()) {
      const spec = this.specOf(slot.stack, slot.service, slot.version, slot.instanceId);
      if (spec) out.push({ slot, spec, routable: !slot.retiring && slot.drainingSince === null });
    }
    return out;
  }

  /** Advances retiring slots and running rollouts; called on a timer and after every agent sync. */
  tick(now = Date.now()): void {
    for (const slot of this.o.slots.all()) {
      if (slot.retiring && slot.drainingSince !== null && now - slot.drainingSince >= this.drainOf(slot)) this.o.slots.delete(slot.instanceId);
    }
    for (const r of this.o.rollouts.active()) {
      try {
        this.step(r, now);
      } catch (err) {
        this.o.logger.error({ err, rollout: r.id }, 'rollout step failed');
        this.finish(r, 'failed', `internal error: ${(err as Error).message}`, now);
      }
    }
  }

  private step(r: Rollout, now: number): void {
    const target = this.o.catalog.version(r.stack, r.toVersion);
    const generation = this.o.catalog.store.generation(r.stack);
    if (r.current.length === 0) {
      if (r.pending.length === 0) return this.finish(r, 'succeeded', `${r.done.length} instance(s) replaced`, now);
      const first = this.o.slots.get(r.pending[0] as string);
      const policy = first ? target.stack.services[first.service]?.update : undefined;
      if (r.stepStartedAt !== null && policy && now - r.stepStartedAt < policy.delay) return;
      const batch = r.pending.slice(0, policy?.parallelism ?? 1);
      r.pending = r.pending.slice(batch.length);
      r.current = batch;
      r.stepStartedAt = now;
      for (const id of batch) {
        const slot = this.o.slots.get(id);
        // A healthy instance leaves the feed first; one that is not serving anyway is replaced at once.
        if (slot) this.o.slots.put({ ...slot, drainingSince: this.o.health(id)?.healthy ? now : now - this.drainOf(slot) });
      }
    }
    for (const id of [...r.current]) {
      const slot = this.o.slots.get(id);
      const service = slot ? target.stack.services[slot.service] : undefined;
      const spec = slot && service ? this.specOf(r.stack, slot.service, r.toVersion, id) : undefined;
      if (!slot || !service || !spec) {
        r.current = r.current.filter((c) => c !== id);
        continue;
      }
      const hash = specHash(spec.runtime, spec.spec, generation);
      if (slot.specHash !== hash) {
        if (slot.drainingSince !== null && now - slot.drainingSince < service.update.drain) continue;
        this.o.slots.put({ ...slot, version: r.toVersion, specHash: hash, drainingSince: null });
        this.switchedAt.set(id, now);
        r.detail = `replacing ${id}`;
        continue;
      }
      const health = this.o.health(id);
      if (health?.healthy && health.specHash === hash) {
        r.current = r.current.filter((c) => c !== id);
        r.done.push(id);
        this.switchedAt.delete(id);
        continue;
      }
      const since = this.switchedAt.get(id) ?? (this.switchedAt.set(id, now), now);
      const why = health ? `${health.state}${health.detail ? ` (${health.detail})` : ''}` : 'not reported by its agent';
      if (health?.state === 'failed' || now - since > service.update.monitor) {
        return this.fail(r, service, `instance ${id} did not become healthy within ${Math.round(service.update.monitor / 1000)} s: ${why}`, now);
      }
    }
    if (r.current.length === 0) r.stepStartedAt = now;
    this.o.rollouts.update(r);
  }

  private fail(r: Rollout, service: Service, reason: string, now: number): void {
    for (const id of r.current) {
      const slot = this.o.slots.get(id);
      if (slot?.drainingSince !== null && slot) this.o.slots.put({ ...slot, drainingSince: null });
      this.switchedAt.delete(id);
    }
    this.o.logger.warn({ stack: r.stack, rollout: r.id, reason }, 'rolling update failed');
    if (service.update.failureAction === 'pause' || r.kind === 'rollback' || r.fromVersion === null) {
      return this.finish(r, service.update.failureAction === 'pause' && r.kind !== 'rollback' ? 'paused' : 'failed', reason, now);
    }
    this.finish(r, 'rolled_back', `${reason}; rolled back to version ${r.fromVersion}`, now);
    const previous = this.o.catalog.version(r.stack, r.fromVersion);
    const { current } = this.o.catalog.put(r.stack, previous.version.yaml, { author: 'hub', note: `automatic rollback of version ${r.toVersion} to version ${r.fromVersion}: ${reason}` });
    this.o.audit.system('stack.rollback.automatic', r.stack, { failedVersion: r.toVersion, restoredVersion: r.fromVersion, newVersion: current.version.version, reason });
    this.apply(r.stack, { actor: 'hub', kind: 'rollback' }, now);
  }

  private finish(r: Rollout, state: Rollout['state'], detail: string, now: number): void {
    r.state = state;
    r.detail = detail;
    r.finishedAt = now;
    if (state !== 'succeeded') {
      for (const id of r.current) {
        const slot = this.o.slots.get(id);
        if (slot && slot.drainingSince !== null && !slot.retiring) this.o.slots.put({ ...slot, drainingSince: null });
      }
    }
    this.o.rollouts.update(r);
    this.o.logger.info({ stack: r.stack, rollout: r.id, state, detail }, 'rolling update ended');
  }

  private drainOf(slot: Slot): number {
    try {
      return this.o.catalog.version(slot.stack, slot.version).stack.services[slot.service]?.update.drain ?? 0;
    } catch {
      return 0;
    }
  }

  private specOf(stack: string, service: string, version: number, id: string): InstanceSpec | undefined {
    const svc = this.o.catalog.version(stack, version).stack.services[service];
    return svc ? serviceInstances(stack, service, svc).find((s) => s.id === id) : undefined;
  }
}
