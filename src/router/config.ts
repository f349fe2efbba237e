import { z } from 'zod';
import { commonSchema, durationMs, port } from '../core/config.js';

export const ROUTER_DEFAULT_PORT = 7443;

export const routerConfigSchema = commonSchema.extend({
  listen: z.object({ host: z.string().default('127.0.0.1'), port: port.default(ROUTER_DEFAULT_PORT) }).default({ host: '127.0.0.1', port: ROUTER_DEFAULT_PORT }),
  /** The hub whose discovery feed lists the services and their replicas. */
  hubUrl: z.string().url(),
  /** How often the discovery feed is read. */
  discoveryInterval: durationMs.default(1000),
  /** Roles allowed to connect (mTLS). Only the gateway by default. */
  allowedClients: z.array(z.string()).default(['gateway']),
  /** Time a backend may take to start answering. */
  upstreamTimeout: durationMs.default(60_000),
});

export type RouterConfig = z.output<typeof routerConfigSchema>;
