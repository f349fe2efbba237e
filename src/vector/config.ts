import { z } from 'zod';
import { commonSchema, listenSchema } from '../core/config.js';

/**
 * Static configuration of a vector replica. `dataDir` holds the collections, the aliases and, for
 * a member of a replica set, `replication/` (its log and state); `listen` is the mTLS API listener
 * (router, fellow replicas, and the local agent on the replication admin path only).
 */
export const vectorConfigSchema = commonSchema.extend({
  listen: listenSchema,
  /** Largest accepted request body, in MB (Qdrant's `max_request_size_mb`, default 32). */
  maxRequestSizeMb: z.number().int().positive().max(1024).default(32),
  /**
   * Search replicas: an HNSW graph of at least `minVectors` vectors gets `threads` copies, each on
   * a worker thread (memory: about the graph's size again per copy), so searches leave the event
   * loop free for HTTP and use another core; `threads: 0` searches on the event loop only.
   */
  searchReplica: z
    .strictObject({
      threads: z.number().int().min(0).max(16).default(1),
      minVectors: z.number().int().min(0).default(20_000),
    })
    .prefault({}),
  replication: z
    .strictObject({
      /**
       * `standalone`: serve alone (no replication log) until an assignment says otherwise.
       * `managed`: started by an agent for the hub — wait for the hub's assignment (role, epoch,
       * leader) before taking writes, so a new replica never diverges from its replica set.
       */
      mode: z.enum(['standalone', 'managed']).default('standalone'),
    })
    .prefault({}),
});

export type VectorConfig = z.output<typeof vectorConfigSchema>;
