import type { Logger } from '../../core/log.js';
import type { Accounts } from '../auth/accounts.js';
import type { HubConfig } from '../config.js';
import type { Fleet } from '../fleet.js';
import type { PeerMonitor } from '../health/peers.js';
import type { RouterSightings } from '../health/routers.js';
import type { ReplicaTokens } from '../replica-tokens.js';
import type { StackCatalog } from '../stacks/catalog.js';

/** What the hub's HTTP routes work with. */
export interface HubServices {
  config: HubConfig;
  logger: Logger;
  accounts: Accounts;
  stacks: StackCatalog;
  fleet: Fleet;
  peers: PeerMonitor;
  routers: RouterSightings;
  tokens: ReplicaTokens;
}
