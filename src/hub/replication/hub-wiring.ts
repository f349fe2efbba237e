import { join } from 'node:path';
import { every } from '../../core/lifecycle.js';
import type { Logger } from '../../core/log.js';
import type { Deployer } from '../deploy/deployer.js';
import type { Fleet } from '../fleet.js';
import type { StackCatalog } from '../stacks/catalog.js';
import { ReplicationController } from './controller.js';
import { SetStore } from './set-store.js';

/**
 * The controller over the hub's own parts: embedded services' slots from the deployer, where each
 * instance runs from the fleet, labels from the stacks; state in `<dataDir>/replication.json`;
 * decisions on every agent sync and every `intervalMs`.
 */
export function startReplicationController(o: { deployer: Deployer; fleet: Fleet; stacks: StackCatalog; dataDir: string; logger: Logger; signal: AbortSignal; intervalMs?: number }): ReplicationController {
  let cache: { at: number; views: Map<string, ReturnType<Fleet['instances']>[number]> } = { at: 0, views: new Map() };
  const controller = new ReplicationController({
    slots: () =>
      o.deployer
        .desired()
        .filter((d) => d.spec.runtime === 'embedded')
        .map((d) => ({ id: d.slot.instanceId, stack: d.slot.stack, service: d.slot.service, slot: d.spec.slot, retiring: d.slot.retiring, draining: d.slot.drainingSince !== null })),
    instance: (id) => {
      const now = Date.now();
      if (now - cache.at > 100) cache = { at: now, views: new Map(o.fleet.instances(now).filter((i) => i.desired).map((i) => [i.id, i])) };
      const v = cache.views.get(id);
      return v ? { url: v.url, identity: v.identity, state: v.state, agent: v.agent } : undefined;
    },
    labels: (stack, service) => {
      try {
        return o.stacks.get(stack).stack.services[service]?.labels ?? {};
      } catch {
        return {};
      }
    },
    store: new SetStore(join(o.dataDir, 'replication.json')),
    logger: o.logger.child({ component: 'replication' }),
  });
  void every(o.intervalMs ?? 500, o.signal, () => controller.tick(), (err) => o.logger.warn({ err }, 'replication controller tick failed'));
  return controller;
}
