import { z } from 'zod';
import type { QdrantOperation } from '../../proxy/qdrant-operations.js';

/**
 * What a credential may do, Qdrant's access model: global `m` (manage: everything) or `r`
 * (read-only), or a list of collections each `r` or `rw`. The full API key is manage, the
 * read-only key is `r`; a JWT carries its own `access` claim (manage when absent).
 */
export const accessClaimSchema = z.union([
  z.enum(['r', 'm']),
  z.array(z.strictObject({ collection: z.string().min(1), access: z.enum(['r', 'rw']), payload: z.unknown().optional() })).min(1),
]);
export type Access = z.output<typeof accessClaimSchema>;

/** Why an operation is refused (Qdrant's wording), or undefined when allowed. */
export function denial(access: Access, op: QdrantOperation): string | undefined {
  if (op.access === 'public') return undefined;
  if (access === 'm') return undefined;
  if (access === 'r') {
    switch (op.access) {
      case 'list':
      case 'global-read':
      case 'collection-read':
        return undefined;
      case 'global-manage':
      case 'collection-manage':
      case 'collection-write':
        return 'Write access is required, but this key is read-only';
      default: {
        const never: never = op.access;
        return never;
      }
    }
  }
  switch (op.access) {
    case 'list':
      return undefined; // answered, filtered to the token's collections
    case 'global-read':
    case 'global-manage':
      return 'Global access is required';
    case 'collection-manage':
      return 'Manage access is required';
    case 'collection-read':
    case 'collection-write': {
      const grant = access.find((a) => a.collection === op.collection);
      if (!grant) return `Access to collection ${op.collection ?? ''} is required`;
      if (op.access === 'collection-write' && grant.access !== 'rw') return `Write access to collection ${op.collection ?? ''} is required`;
      return undefined;
    }
    default: {
      const never: never = op.access;
      return never;
    }
  }
}

/** The collections a collection-scoped credential sees in listings; undefined for global access. */
export function visibleCollections(access: Access): ReadonlySet<string> | undefined {
  return Array.isArray(access) ? new Set(access.map((a) => a.collection)) : undefined;
}
