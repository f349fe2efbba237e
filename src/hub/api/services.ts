import type { Logger } from '../../core/log.js';
import type { AgentChannel } from '../agents/channel.js';
import type { Enrollment } from '../agents/enrollment.js';
import type { LogSessions } from '../agents/log-sessions.js';
import type { AuditLog } from '../audit.js';
import type { Accounts } from '../auth/accounts.js';
import type { CsrfGuard } from '../auth/csrf.js';
import type { HubConfig } from '../config.js';
import type { Deployer } from '../deploy/deployer.js';
import type { StackOperations } from '../deploy/operations.js';
import type { Fleet } from '../fleet.js';
import type { PeerMonitor } from '../health/peers.js';
import type { RouterSightings } from '../health/routers.js';
import type { ServiceMetrics } from '../monitoring/service-metrics.js';
import type { Certificates } from '../certs/certificates.js';
import type { Revocations } from '../certs/revocations.js';
import type { CaTokens } from '../replica-tokens.js';
import type { StackCatalog } from '../stacks/catalog.js';
import type { RolloutStore } from '../store/rollouts.js';
import type { ReplicationController } from '../replication/controller.js';

/** What the hub's HTTP routes work with. */
export interface HubServices {
  config: HubConfig;
  logger: Logger;
  /** Phoenix's version (package.json), reported in the API and compared with agents'. */
  version: string;
  rootPem: string;
  accounts: Accounts;
  csrf: CsrfGuard;
  audit: AuditLog;
  stacks: StackCatalog;
  operations: StackOperations;
  deployer: Deployer;
  rollouts: RolloutStore;
  fleet: Fleet;
  peers: PeerMonitor;
  routers: RouterSightings;
  tokens: CaTokens;
  enrollment: Enrollment;
  channel: AgentChannel;
  logs: LogSessions;
  metrics: ServiceMetrics;
  certificates: Certificates;
  revocations: Revocations;
  /** Replica sets of embedded services: leaders, epochs, failover (issue 6). */
  replication: ReplicationController;
  /** Aborts when the hub stops (ends long polls and log streams). */
  signal: AbortSignal;
}
