import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Engine } from '../../engine/engine.js';
import { ValidationError } from '../../errors.js';
import { parseBody } from '../body.js';
import { ok } from '../envelope.js';

/** `GET /quotas` (config and this node's utilization) and `PUT /quotas` (replace the config). */
const percent = z.number().int().nullish();
const quotaConfigSchema = z.object({ enabled: z.boolean().optional(), max_resident_memory_percent: percent, max_disk_usage_percent: percent, release_margin_percent: percent });

export function quotaRoutes(app: FastifyInstance, engine: Engine): void {
  app.get('/quotas', async (request, reply) => ok(request, reply, { config: engine.quotas.get(), usage: engine.quotas.usage() }));

  app.put('/quotas', async (request, reply) => {
    const body = parseBody(quotaConfigSchema, request.body);
    const problems: Array<{ field: string; message: string }> = [];
    for (const [field, min, max] of [
      ['max_resident_memory_percent', 1, 100],
      ['max_disk_usage_percent', 1, 100],
      ['release_margin_percent', 0, 100],
    ] as const) {
      const v = body[field];
      if (v !== null && v !== undefined && (v < min || v > max)) problems.push({ field, message: `value ${v} invalid, must be from ${min} to ${max}` });
    }
    if (problems.length > 0) throw new ValidationError(problems);
    const config: Parameters<typeof engine.quotas.set>[0] = { enabled: body.enabled ?? false };
    if (body.max_resident_memory_percent !== null && body.max_resident_memory_percent !== undefined) config.max_resident_memory_percent = body.max_resident_memory_percent;
    if (body.max_disk_usage_percent !== null && body.max_disk_usage_percent !== undefined) config.max_disk_usage_percent = body.max_disk_usage_percent;
    if (body.release_margin_percent !== null && body.release_margin_percent !== undefined) config.release_margin_percent = body.release_margin_percent;
    engine.quotas.set(config);
    return ok(request, reply, true);
  });
}
