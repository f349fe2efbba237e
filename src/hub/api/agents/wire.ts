import { isIP } from 'node:net';
import { z } from 'zod';
import { HEALTH_STATES, REPORTED_STATES } from '../../store/instances.js';

/** Bodies of the agent endpoints, validated at the edge. */
export const agentName = z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/, 'use letters, digits, ".", "_" and "-" (1–128)');
const name = agentName;
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const count = z.number().int().min(0);

const countersSchema = z.strictObject({
  requests: count,
  clientErrors: count,
  serverErrors: count,
  buckets: z.array(z.tuple([z.number().positive(), count])).max(64),
});

export const syncRequestSchema = z.strictObject({
  agent: z.strictObject({
    name,
    version: z.string().min(1).max(64),
    /** Where the agent's replicas listen; it goes into their certificates. */
    advertiseAddress: z.string().refine((a) => isIP(a) !== 0, 'must be an IP address'),
    /** The agent's sync interval, so the hub knows when it has missed syncs. */
    syncIntervalMs: z.number().int().min(50).max(3_600_000).optional(),
    host: z.strictObject({
      hostname: z.string().max(255),
      platform: z.string().max(64),
      cpus: z.number().int().min(0).max(1_000_000),
      memoryBytes: count,
      arch: z.string().max(32).optional(),
      release: z.string().max(128).optional(),
      cpuModel: z.string().max(256).optional(),
      loadAverage: z.array(z.number().min(0)).max(3).optional(),
      memoryFreeBytes: count.optional(),
      uptimeSeconds: z.number().min(0).optional(),
      nodeVersion: z.string().max(32).optional(),
      disk: z.strictObject({ path: z.string().max(4096), totalBytes: count, freeBytes: count }).optional(),
    }),
  }),
  instances: z
    .array(
      z.strictObject({
        id: name,
        state: z.enum(REPORTED_STATES),
        pid: z.number().int().positive().optional(),
        url: z
          .string()
          .url()
          .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
          .optional(),
        restarts: count,
        startedAt: isoTime.optional(),
        specHash: z.string().regex(/^[0-9a-f]{1,64}$/).optional(),
        health: z.strictObject({ status: z.enum(HEALTH_STATES), detail: z.string().max(1000), checkedAt: isoTime.optional() }).optional(),
        origin: z.enum(['hub', 'found']).optional(),
        runtime: z.string().max(32).optional(),
        spec: z.record(z.string(), z.unknown()).optional(),
        lastExit: z.strictObject({ code: z.number().int().nullable(), signal: z.string().max(32).nullable(), at: isoTime }).optional(),
        metrics: countersSchema.optional(),
        /** The replica's replication status (role, epoch, position), checked by the replication controller. */
        replication: z.record(z.string(), z.unknown()).optional(),
        certificate: z.strictObject({ serial: z.string().regex(/^[0-9A-Fa-f]{1,80}$/), notAfter: isoTime, identity: z.string().max(512) }).optional(),
      }),
    )
    .max(1000),
});

export const tokenRequestSchema = z.strictObject({ instance: name });

export const commandsRequestSchema = z.strictObject({ waitMs: z.number().int().min(0).max(60_000).default(25_000) });

export const logsRequestSchema = z.strictObject({
  session: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  lines: z.array(z.string().max(64 * 1024)).max(5000),
  eof: z.boolean().default(false),
  error: z.string().max(1000).optional(),
});
