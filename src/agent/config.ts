import { isIP } from 'node:net';
import { z } from 'zod';
import { commonSchema, durationMs } from '../core/config.js';

/**
 * The agent's static configuration. It connects out to the hub (no inbound port) and runs the
 * replicas the hub assigns to it as child processes of `runtime.phoenixBin`.
 */
export const agentConfigSchema = commonSchema.extend({
  /** The hub's base URL, e.g. https://localhost:9443. */
  hubUrl: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), 'must be an https:// URL (the agent talks to the hub over mTLS)'),
  /** Where replicas get their certificates (written into each replica's config). */
  ca: z.object({
    url: z.string().url(),
    rootFile: z.string(),
  }),
  /** The address replicas listen on and are reached at; goes into their certificates. */
  advertiseAddress: z
    .string()
    .refine((a) => isIP(a) !== 0, 'must be an IP address')
    .default('127.0.0.1'),
  syncInterval: durationMs.prefault('1s'),
  runtime: z.object({
    /** The Node script run for a replica: `<phoenixBin> run vector --config <file>`. */
    phoenixBin: z.string(),
    /** Grace between SIGTERM and SIGKILL when a replica is stopped. */
    stopGrace: durationMs.prefault('10s'),
    /** A replica that has not reported ready by then is killed and restarted. */
    readyTimeout: durationMs.prefault('60s'),
  }),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
