import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyQdrantOperation, isQdrantRead } from './qdrant-operations.js';

const cases: Array<[method: string, path: string, access: string, collection?: string]> = [
  ['GET', '/', 'public'],
  ['GET', '/readyz', 'public'],
  ['GET', '/collections', 'list'],
  ['GET', '/collections/', 'list'],
  ['GET', '/aliases', 'list'],
  ['POST', '/collections/aliases', 'global-manage'],
  ['GET', '/collections/a%20b', 'collection-read', 'a b'],
  ['HEAD', '/collections/c', 'collection-read', 'c'],
  ['PUT', '/collections/c', 'collection-manage', 'c'],
  ['DELETE', '/collections/c', 'collection-manage', 'c'],
  ['PUT', '/collections/c/points', 'collection-write', 'c'],
  ['POST', '/collections/c/points', 'collection-read', 'c'],
  ['POST', '/collections/c/points/query/batch', 'collection-read', 'c'],
  ['POST', '/collections/c/points/search/matrix/pairs', 'collection-read', 'c'],
  ['POST', '/collections/c/points/payload/clear', 'collection-write', 'c'],
  ['DELETE', '/collections/c/index/city', 'collection-write', 'c'],
  ['GET', '/collections/c/snapshots/s1', 'collection-read', 'c'],
  ['PUT', '/collections/c/snapshots/recover', 'collection-manage', 'c'],
  ['GET', '/telemetry', 'global-read'],
  ['POST', '/snapshots', 'global-manage'],
  ['POST', '/collections/c/points/brand-new', 'global-manage'],
  ['GET', '/somewhere/else', 'global-manage'],
  ['GET', '/collections/%E0%A4%A', 'global-manage'],
];
for (const [method, path, access, collection] of cases) {
  test(`${method} ${path} → ${access}${collection ? ` on ${collection}` : ''}`, () => {
    const op = classifyQdrantOperation(method, path);
    assert.equal(op.access, access);
    assert.equal(op.collection, collection);
  });
}

test('reads, including the ones Qdrant sends as POST, are retryable; writes are not', () => {
  for (const [m, p] of [['GET', '/collections/c'], ['POST', '/collections/c/points/scroll'], ['POST', '/collections/c/points/search'], ['POST', '/collections/c/facet']]) assert.equal(isQdrantRead(m as string, p as string), true, `${m} ${p}`);
  for (const [m, p] of [['PUT', '/collections/c/points'], ['POST', '/collections/c/points/delete'], ['POST', '/collections/c/points/batch'], ['DELETE', '/collections/c']]) assert.equal(isQdrantRead(m as string, p as string), false, `${m} ${p}`);
});
