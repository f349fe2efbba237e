import { z } from 'zod';

/** `PUT /collections/{name}/index` (CreateFieldIndex): a payload index by type, with optional params. */
export const payloadSchemaTypeSchema = z.enum(['keyword', 'integer', 'float', 'geo', 'text', 'bool', 'datetime', 'uuid']);

const paramsSchema = z.looseObject({ type: payloadSchemaTypeSchema });

export const createFieldIndexSchema = z.object({
  field_name: z.string(),
  field_schema: z.union([payloadSchemaTypeSchema, paramsSchema], { error: 'data did not match any variant of untagged enum PayloadFieldSchema' }).nullish(),
});
export type CreateFieldIndexWire = z.infer<typeof createFieldIndexSchema>;
