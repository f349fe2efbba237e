import { z } from 'zod';
import { pointIdSchema } from './common.js';

/**
 * Vectors on the wire: dense (`[f32]`), sparse (`{indices, values}`), multi (`[[f32]]`), and in
 * queries also a point id or an inference object (document, image, object) — which Phoenix
 * refuses, since it runs no embedding models.
 */
export const denseSchema = z.array(z.number());
export const sparseSchema = z.object({ indices: z.array(z.number().int().min(0).max(4294967295)), values: z.array(z.number()) });
export const multiSchema = z.array(z.array(z.number()));

export type SparseWire = z.infer<typeof sparseSchema>;

/** A stored vector: dense, sparse or multi. */
export const vectorValueSchema = z.union([denseSchema, sparseSchema, multiSchema], { error: 'data did not match any variant of untagged enum Vector' });
export type VectorValueWire = z.infer<typeof vectorValueSchema>;

const inferenceSchema = z
  .union([z.object({ text: z.string(), model: z.string() }), z.object({ image: z.unknown(), model: z.string() }), z.object({ object: z.unknown(), model: z.string() })])
  .transform(() => ({ inference: true as const }));

/** A query vector: a vector, a point id (its stored vector), or an inference object. */
export const vectorInputSchema = z.union([denseSchema, sparseSchema, multiSchema, pointIdSchema, inferenceSchema], {
  error: 'data did not match any variant of untagged enum VectorInput',
});
export type VectorInputWire = z.infer<typeof vectorInputSchema>;
