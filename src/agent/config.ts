import { isIP } from 'node:net';
import { z } from 'zod';
import { commonSchema, durationMs } from '../core/config.js';

/**
 * The agent's static configuration. It connects out to the hub (no inbound port) and runs the
 * instances the hub assigns to it: embedded replicas as child processes of `runtime.phoenixBin`,
 * `process` instances as the commands their stack names, `external` ones by health-checking them.
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
  /** How often running instances' `/metrics` are read (the figures go to the hub with the syncs). */
  metricsInterval: durationMs.prefault('5s'),
  runtime: z.object({
    /** The Node script run for an embedded replica: `<phoenixBin> run vector --config <file>`. */
    phoenixBin: z.string(),
    /** Grace between SIGTERM and SIGKILL when an instance is stopped. */
    stopGrace: durationMs.prefault('10s'),
    /** An embedded replica that has not reported ready by then is killed and restarted. */
    readyTimeout: durationMs.prefault('60s'),
  }),
  logs: z
    .strictObject({
      /** An instance's log is rotated when it grows past this many bytes. */
      maxBytes: z.number().int().min(1024).default(10 * 1024 * 1024),
      /** Rotated logs kept (`<id>.log.1` … `<id>.log.<keep>`). */
      keep: z.number().int().min(0).max(100).default(3),
      /** How often log sizes are checked. */
      checkInterval: durationMs.prefault('5s'),
    })
    .prefault({}),
});

export type AgentConfig = z.output<typeof agentConfigSchema>;
