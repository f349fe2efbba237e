/**
 * An instance as the hub shows it, in one shape for the server (`Time` = epoch ms) and the JSON API
 * and console (`Time` = ISO 8601 string). No imports: the console (src/hub/ui, its own tsconfig,
 * built for the browser) imports this type too.
 */
export interface InstanceFields<Time, State extends string = string, Health extends string = string> {
  id: string;
  stack: string;
  service: string;
  runtime: string | null;
  agent: string | null;
  state: State;
  health: Health;
  healthDetail: string;
  pid: number | null;
  url: string | null;
  identity: string;
  restarts: number;
  startedAt: Time | null;
  lastReportAt: Time | null;
  /** The stack version whose spec this instance should run, and whether it does. */
  version: number | null;
  upToDate: boolean;
  /** In the routers' feed now (running, not draining or retiring). */
  routed: boolean;
  draining: boolean;
  retiring: boolean;
  /** False for an instance no stack asks for (being stopped, or unmanaged). */
  desired: boolean;
  /** Found running on an agent and claimed by no stack: can be adopted. */
  unmanaged: boolean;
  lastExit: { code: number | null; signal: string | null; at: Time | null } | null;
}
