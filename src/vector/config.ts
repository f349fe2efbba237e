import { z } from 'zod';
import { commonSchema, listenSchema } from '../core/config.js';

/**
 * Static configuration of a vector replica. `dataDir` holds `vector.db` (SQLite, WAL mode);
 * `listen` is the mTLS API listener (router and fellow replicas only).
 */
export const vectorConfigSchema = commonSchema.extend({
  listen: listenSchema,
  /** Largest accepted request body, in MB (Qdrant's `max_request_size_mb`, default 32). */
  maxRequestSizeMb: z.number().int().positive().max(1024).default(32),
});

export type VectorConfig = z.output<typeof vectorConfigSchema>;
