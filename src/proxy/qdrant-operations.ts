/**
 * What a Qdrant REST request does, for access control (the gateway) and for retries (the router):
 * every path of Qdrant 1.19's API (plus the older search/recommend/discover families it still
 * serves) maps to the access it needs, following Qdrant's table of access:
 *
 * - `public`: version and health probes, open to anyone;
 * - `list`: collection and alias listings — any valid credential, filtered to the token's
 *   collections for collection-scoped tokens;
 * - `global-read` / `global-manage`: cluster, telemetry, full snapshots — global access only;
 * - `collection-read` / `collection-write`: data operations on one collection (`r` / `rw`);
 * - `collection-manage`: creating, deleting or reconfiguring a collection — manage access only.
 *
 * Unknown paths need manage access, so a new endpoint is never open to a restricted key by mistake.
 */
export type QdrantAccess = 'public' | 'list' | 'global-read' | 'global-manage' | 'collection-read' | 'collection-write' | 'collection-manage';

export interface QdrantOperation {
  access: QdrantAccess;
  /** The collection the request addresses (decoded), when it addresses one. */
  collection?: string;
}

/** `METHOD /path/{c}/…  access`; `{c}` is the collection, `{x}` any one segment. */
const TABLE = `
GET / public
GET /healthz public
GET /livez public
GET /readyz public
GET /telemetry global-read
GET /metrics global-read
GET /issues global-read
DELETE /issues global-manage
GET /cluster global-read
GET /cluster/telemetry global-read
POST /cluster/recover global-manage
DELETE /cluster/peer/{x} global-manage
GET /quotas global-read
PUT /quotas global-manage
GET /collections list
GET /aliases list
POST /collections/aliases global-manage
GET /snapshots global-read
POST /snapshots global-manage
GET /snapshots/{x} global-read
DELETE /snapshots/{x} global-manage
GET /collections/{c} collection-read
PUT /collections/{c} collection-manage
PATCH /collections/{c} collection-manage
DELETE /collections/{c} collection-manage
GET /collections/{c}/exists collection-read
GET /collections/{c}/cluster collection-read
POST /collections/{c}/cluster collection-manage
GET /collections/{c}/optimizations collection-read
GET /collections/{c}/aliases collection-read
GET /collections/{c}/shards collection-read
PUT /collections/{c}/shards collection-manage
POST /collections/{c}/shards/delete collection-manage
PUT /collections/{c}/vectors/{x} collection-manage
DELETE /collections/{c}/vectors/{x} collection-manage
PUT /collections/{c}/index collection-write
DELETE /collections/{c}/index/{x} collection-write
GET /collections/{c}/snapshots collection-read
POST /collections/{c}/snapshots collection-write
POST /collections/{c}/snapshots/upload collection-manage
PUT /collections/{c}/snapshots/recover collection-manage
GET /collections/{c}/snapshots/{x} collection-read
DELETE /collections/{c}/snapshots/{x} collection-write
GET /collections/{c}/shards/{x}/snapshot collection-read
GET /collections/{c}/shards/{x}/snapshots collection-read
POST /collections/{c}/shards/{x}/snapshots collection-write
POST /collections/{c}/shards/{x}/snapshots/upload collection-manage
PUT /collections/{c}/shards/{x}/snapshots/recover collection-manage
GET /collections/{c}/shards/{x}/snapshots/{x} collection-read
DELETE /collections/{c}/shards/{x}/snapshots/{x} collection-write
GET /collections/{c}/points/{x} collection-read
POST /collections/{c}/points collection-read
PUT /collections/{c}/points collection-write
POST /collections/{c}/points/delete collection-write
PUT /collections/{c}/points/vectors collection-write
POST /collections/{c}/points/vectors/delete collection-write
POST /collections/{c}/points/payload collection-write
PUT /collections/{c}/points/payload collection-write
POST /collections/{c}/points/payload/delete collection-write
POST /collections/{c}/points/payload/clear collection-write
POST /collections/{c}/points/batch collection-write
POST /collections/{c}/points/scroll collection-read
POST /collections/{c}/points/count collection-read
POST /collections/{c}/facet collection-read
POST /collections/{c}/points/facet collection-read
POST /collections/{c}/points/query collection-read
POST /collections/{c}/points/query/batch collection-read
POST /collections/{c}/points/query/groups collection-read
POST /collections/{c}/points/search collection-read
POST /collections/{c}/points/search/batch collection-read
POST /collections/{c}/points/search/groups collection-read
POST /collections/{c}/points/search/matrix/pairs collection-read
POST /collections/{c}/points/search/matrix/offsets collection-read
POST /collections/{c}/points/recommend collection-read
POST /collections/{c}/points/recommend/batch collection-read
POST /collections/{c}/points/recommend/groups collection-read
POST /collections/{c}/points/discover collection-read
POST /collections/{c}/points/discover/batch collection-read
`;

interface Entry {
  segments: string[];
  access: QdrantAccess;
}

/** Entries by method, then by segment count. */
const INDEX = new Map<string, Map<number, Entry[]>>();
for (const line of TABLE.trim().split('\n')) {
  const [method, path, access] = line.trim().split(/\s+/) as [string, string, QdrantAccess];
  const segments = path === '/' ? [] : path.slice(1).split('/');
  let byLength = INDEX.get(method);
  if (!byLength) INDEX.set(method, (byLength = new Map()));
  const list = byLength.get(segments.length) ?? [];
  list.push({ segments, access });
  byLength.set(segments.length, list);
}

const MANAGE: QdrantOperation = { access: 'global-manage' };

export function classifyQdrantOperation(method: string, path: string): QdrantOperation {
  const m = method === 'HEAD' ? 'GET' : method;
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  const parts = trimmed === '/' || trimmed === '' ? [] : trimmed.slice(1).split('/');
  const candidates = INDEX.get(m)?.get(parts.length);
  if (!candidates) return MANAGE;
  outer: for (const entry of candidates) {
    let collection: string | undefined;
    for (let i = 0; i < parts.length; i++) {
      const want = entry.segments[i] as string;
      const got = parts[i] as string;
      if (want === '{c}') collection = got;
      else if (want !== '{x}' && want !== got) continue outer;
    }
    if (collection === undefined) return { access: entry.access };
    let decoded: string;
    try {
      decoded = decodeURIComponent(collection);
    } catch {
      return MANAGE;
    }
    return { access: entry.access, collection: decoded };
  }
  return MANAGE;
}

/**
 * Requests that only read. Qdrant sends many reads as POST (query, search, scroll, count,
 * retrieve), so the method alone cannot tell. The router retries a read on another replica when
 * one fails under it.
 */
export function isQdrantRead(method: string, path: string): boolean {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return true;
  if (method !== 'POST') return false;
  const access = classifyQdrantOperation(method, path).access;
  return access === 'collection-read' || access === 'global-read' || access === 'list' || access === 'public';
}
