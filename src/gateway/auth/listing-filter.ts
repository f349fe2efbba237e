/**
 * Collection-scoped tokens see only their collections in `GET /collections` and `GET /aliases`
 * (Qdrant's "allowed, but filtered"). Applied to the whole upstream answer before it is sent.
 */
export function listingFilter(visible: ReadonlySet<string>): (status: number, body: Buffer) => Buffer {
  return (status, body) => {
    if (status !== 200) return body;
    let doc: { result?: { collections?: Array<{ name?: string }>; aliases?: Array<{ collection_name?: string }> } };
    try {
      doc = JSON.parse(body.toString('utf8')) as typeof doc;
    } catch {
      return Buffer.from(JSON.stringify({ status: { error: 'unreadable listing from upstream' }, time: 0 }));
    }
    if (doc.result?.collections) doc.result.collections = doc.result.collections.filter((c) => c.name !== undefined && visible.has(c.name));
    if (doc.result?.aliases) doc.result.aliases = doc.result.aliases.filter((a) => a.collection_name !== undefined && visible.has(a.collection_name));
    return Buffer.from(JSON.stringify(doc));
  };
}
