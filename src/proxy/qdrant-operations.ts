/**
 * Which Qdrant REST requests only read. Qdrant sends many reads as POST (query, search, scroll,
 * count, retrieve), so the HTTP method alone cannot tell. The router may retry a read on another
 * replica when a connection breaks under it; the gateway will use the same table for read-only keys.
 */
const READ_POST_SUFFIXES = [
  /\/points$/, // retrieve by ids
  /\/points\/(scroll|count|facet)$/,
  /\/points\/query(\/batch|\/groups)?$/,
  /\/points\/search(\/batch|\/groups|\/matrix\/pairs|\/matrix\/offsets)?$/,
  /\/points\/recommend(\/batch|\/groups)?$/,
  /\/points\/discover(\/batch)?$/,
];

export function isQdrantRead(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  if (method !== 'POST' || !path.startsWith('/collections/')) return false;
  return READ_POST_SUFFIXES.some((re) => re.test(path));
}
