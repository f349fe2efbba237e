import { z } from 'zod';
import { commonSchema, durationMs, port } from '../core/config.js';
import { rawSnapshotSchema } from '../proxy/dynamic-config.js';
import { entrypointTimeoutsSchema } from '../proxy/middleware/timeouts/index.js';

export const ROUTER_DEFAULT_PORT = 7443;

const listen = (defaultPort: number) => z.object({ host: z.string().default('127.0.0.1'), port: port.default(defaultPort) }).prefault({});

export const routerConfigSchema = commonSchema
  .extend({
    listen: listen(ROUTER_DEFAULT_PORT),
    /** The hub whose discovery feed lists the services and their replicas (the `hub` provider). */
    hubUrl: z.string().url().optional(),
    /** How often the discovery feed is read. */
    discoveryInterval: durationMs.default(1000),
    providers: z
      .strictObject({
        /** A watched YAML file with routers, services and middlewares (the `file` provider). */
        file: z.strictObject({ path: z.string(), pollInterval: durationMs.default(2000) }).optional(),
        /** Routers, services and middlewares written right here (the `static` provider). */
        static: rawSnapshotSchema.optional(),
      })
      .prefault({}),
    /** At most one configuration rebuild per this long. */
    throttle: durationMs.default(200),
    /** Roles allowed to connect (mTLS). Only the gateway by default. */
    allowedClients: z.array(z.string()).default(['gateway']),
    /** Time a backend may take to start answering (services from the hub). */
    upstreamTimeout: durationMs.default(60_000),
    timeouts: entrypointTimeoutsSchema.prefault({}),
    /** Read-only status API and metrics (plain HTTP, loopback); off unless a port is given. */
    status: z.object({ host: z.string().default('127.0.0.1'), port }).optional(),
    accessLog: z.boolean().default(true),
  })
  .refine((c) => c.hubUrl !== undefined || c.providers.file !== undefined || c.providers.static !== undefined, {
    message: 'give at least one configuration provider: hubUrl, providers.file or providers.static',
  });

export type RouterConfig = z.output<typeof routerConfigSchema>;
