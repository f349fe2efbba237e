import type { Fleet, InstanceView } from './fleet.js';
import type { PeerMonitor, RoleStatus } from './health/peers.js';
import type { RouterSightings } from './health/routers.js';
import type { StackCatalog, CurrentStack } from './stacks/catalog.js';

export interface PlatformStatus {
  roles: RoleStatus[];
  stacks: CurrentStack[];
  instances: InstanceView[];
}

export interface StatusSources {
  hubName: string;
  peers: PeerMonitor;
  routers: RouterSightings;
  fleet: Fleet;
  stacks: StackCatalog;
}

/** Every role's health as the hub sees it: peers it checks, itself, agents by sync, routers by poll. */
export function platformStatus(s: StatusSources, now = Date.now()): PlatformStatus {
  const roles: RoleStatus[] = [
    ...s.peers.statuses(),
    { role: 'hub', name: s.hubName, healthy: true, detail: 'serving', lastSeenAt: now },
    ...s.fleet.agents(now).map((a) => ({ role: 'agent', name: a.name, healthy: a.liveness.healthy, detail: a.liveness.detail, lastSeenAt: a.lastHeartbeatAt })),
    ...s.routers.statuses(now),
  ];
  return { roles, stacks: s.stacks.all(), instances: s.fleet.instances(now) };
}
