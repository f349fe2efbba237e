import { isIP } from 'node:net';
import { z } from 'zod';
import { REPORTED_STATES } from '../../store/instances.js';

/** Bodies of the agent endpoints, validated at the edge. */
const name = z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/, 'use letters, digits, ".", "_" and "-" (1–128)');
const isoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));

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
      memoryBytes: z.number().int().min(0),
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
        restarts: z.number().int().min(0),
        startedAt: isoTime.optional(),
      }),
    )
    .max(1000),
});

export const tokenRequestSchema = z.strictObject({ instance: name });
