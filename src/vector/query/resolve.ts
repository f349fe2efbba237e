import { BadRequestError, PointNotFoundError, VectorNotFoundError } from '../errors.js';
import type { PointId } from '../segment/point-id.js';
import type { VectorValue } from '../segment/vector-value.js';
import type { QueryNode, ScoringQuery, VectorInput } from './model.js';
import type { QueryTarget, TargetResolver } from './target.js';

/**
 * Checks a query tree the way Qdrant does before running it, then replaces every point id used as
 * a vector by that point's stored vector — from this collection, or from `lookup_from`'s
 * collection and vector name. Ids looked up in this collection are reported, so the root filter
 * can leave those points out of the results.
 */
export function validateNode(node: QueryNode): void {
  if (node.prefetch.length > 0 && !node.query) throw new BadRequestError("A query is needed to merge the prefetches. Can't have prefetches without defining a query.");
  if (node.scoreThreshold !== undefined) {
    if (node.query?.type === 'order_by') throw new BadRequestError("Can't use score_threshold with an order_by query.");
    if (!node.query) throw new BadRequestError("A query is needed to use the score_threshold. Can't have score_threshold without defining a query.");
  }
  if (node.query?.type === 'fusion') {
    if (node.using !== '') throw new BadRequestError("Fusion queries cannot be combined with the 'using' field.");
    if (node.prefetch.length === 0) throw new BadRequestError('cannot apply Fusion without prefetches');
  }
  if (node.query?.type === 'formula' && node.prefetch.length === 0) throw new BadRequestError('cannot apply Formula without prefetches');
  if (node.query?.type === 'recommend') {
    const { positive, negative, strategy } = node.query;
    if (strategy === 'average_vector' && positive.length === 0) throw new BadRequestError('At least one positive vector ID required with this strategy');
    if (positive.length === 0 && negative.length === 0) throw new BadRequestError('At least one positive or negative vector ID required with this strategy');
  }
  for (const p of node.prefetch) validateNode(p);
}

export interface Resolved {
  node: QueryNode<VectorValue>;
  /** Ids used as vectors and looked up in the queried collection itself. */
  ownIds: PointId[];
}

export function resolveVectors(target: QueryTarget, node: QueryNode, targets: TargetResolver): Resolved {
  const ownIds: PointId[] = [];
  const resolveNode = (n: QueryNode): QueryNode<VectorValue> => {
    const lookup = n.lookupFrom && n.lookupFrom.collection !== target.name ? targets(n.lookupFrom.collection) : target;
    const lookupName = n.lookupFrom?.vector ?? n.using;
    const vector = (input: VectorInput): VectorValue => {
      if (input.kind !== 'id') return input;
      if (lookup === target) ownIds.push(input.id);
      return lookupVector(lookup, input.id, lookupName);
    };
    const { query, ...rest } = n;
    const out: QueryNode<VectorValue> = { ...rest, prefetch: n.prefetch.map(resolveNode) };
    if (query) out.query = mapQuery(query, vector);
    return out;
  };
  return { node: resolveNode(node), ownIds };
}

function lookupVector(target: QueryTarget, id: PointId, using: string): VectorValue {
  const v = target.vectorOf(id, using);
  if (v) return v;
  if (target.retrieve([id], { withPayload: { kind: 'none' }, withVector: { kind: 'none' } }).length === 0) throw new PointNotFoundError(id);
  throw new VectorNotFoundError(`Vector with name ${JSON.stringify(using)} for point ${id}`, 'VECTOR_NOT_FOUND');
}

function mapQuery<A, B>(q: ScoringQuery<A>, f: (a: A) => B): ScoringQuery<B> {
  switch (q.type) {
    case 'nearest':
      return { ...q, vector: f(q.vector) };
    case 'recommend':
      return { ...q, positive: q.positive.map(f), negative: q.negative.map(f) };
    case 'discover':
      return { type: 'discover', target: f(q.target), pairs: q.pairs.map((p) => ({ positive: f(p.positive), negative: f(p.negative) })) };
    case 'context':
      return { type: 'context', pairs: q.pairs.map((p) => ({ positive: f(p.positive), negative: f(p.negative) })) };
    case 'feedback':
      return { ...q, target: f(q.target), feedback: q.feedback.map((item) => ({ example: f(item.example), score: item.score })) };
    case 'order_by':
    case 'fusion':
    case 'sample':
    case 'formula':
      return q;
  }
}
