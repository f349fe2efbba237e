import { z } from 'zod';

/**
 * A replica's replication status as its agent relays it with every sync (the replica's
 * `GET /phoenix/replication/status`), validated leniently: unknown fields are ignored.
 */
export const replicaReportSchema = z.object({
  id: z.string(),
  bootId: z.string(),
  mode: z.enum(['none', 'standalone', 'member']),
  role: z.enum(['standalone', 'awaiting', 'leader', 'follower', 'candidate']),
  epoch: z.number().int().min(0),
  logId: z.string(),
  leader: z.string().nullable(),
  position: z.number(),
  lastEpoch: z.number(),
  logStart: z.number().default(0),
  lag: z.number(),
  inSync: z.boolean(),
  ready: z.boolean(),
  detail: z.string().default(''),
  dirty: z.boolean().default(false),
  drained: z.boolean().default(false),
  snapshotsInstalled: z.number().default(0),
  followers: z
    .array(z.object({ id: z.string(), position: z.number(), lag: z.number(), inSync: z.boolean(), joining: z.boolean().default(false) }))
    .optional(),
});
export type ReplicaReport = z.output<typeof replicaReportSchema>;

export function parseReport(raw: unknown): ReplicaReport | undefined {
  const r = replicaReportSchema.safeParse(raw);
  return r.success ? r.data : undefined;
}
