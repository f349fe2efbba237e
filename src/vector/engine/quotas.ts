import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { ForbiddenError } from '../../core/errors.js';
import { writeFileDurably } from '../../core/durable-file.js';

/**
 * Node-wide resource quotas (Qdrant 1.19's `/quotas`): limits on resident memory and on the use of
 * the storage filesystem, in percent. While enabled, updates that consume memory or disk are
 * refused once a resource reaches its limit, until it falls `release_margin_percent` below it;
 * deletes stay allowed so space can be freed. The config is saved durably in `quota.json`.
 */
export interface QuotaConfig {
  enabled: boolean;
  max_resident_memory_percent?: number | null;
  max_disk_usage_percent?: number | null;
  release_margin_percent?: number | null;
}

export interface QuotaUsage {
  resident_memory_percent: number | null;
  disk_usage_percent: number | null;
}

const DEFAULT_MARGIN = 2;

export class QuotaExceededError extends ForbiddenError {
  constructor(message: string) {
    super('VECTOR_QUOTA_EXCEEDED', `Forbidden: ${message}`);
  }
}

export class Quotas {
  private config: QuotaConfig = { enabled: false };
  private readonly file: string;
  /** Resources currently over their limit (waiting to fall below limit − margin). */
  private readonly tripped = new Set<'memory' | 'disk'>();

  constructor(private readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'quota.json');
    if (existsSync(this.file)) this.config = JSON.parse(readFileSync(this.file, 'utf8')) as QuotaConfig;
  }

  get(): QuotaConfig {
    return { ...this.config };
  }

  set(config: QuotaConfig): void {
    writeFileDurably(this.file, JSON.stringify(config));
    this.config = { ...config };
    this.tripped.clear();
  }

  usage(): QuotaUsage {
    return { resident_memory_percent: memoryPercent(), disk_usage_percent: diskPercent(this.dataDir) };
  }

  /** Throws a 403 when an enforced limit is reached. */
  checkUpdate(): void {
    if (!this.config.enabled) return;
    const margin = this.config.release_margin_percent ?? DEFAULT_MARGIN;
    const check = (resource: 'memory' | 'disk', limit: number | null | undefined, used: number | null, description: string, total: string, parameter: string) => {
      if (limit === null || limit === undefined || used === null) return;
      const threshold = this.tripped.has(resource) ? Math.max(limit - margin, 0) : limit;
      if (used < threshold) {
        this.tripped.delete(resource);
        return;
      }
      this.tripped.add(resource);
      const condition =
        used >= limit
          ? `${description} is at ${used}% of ${total}, exceeding the configured limit of ${limit}%`
          : `${description} is at ${used}% of ${total}. It reached the configured limit of ${limit}% and has to fall below ${threshold}% before this node takes writes again`;
      const remedy = resource === 'memory' ? 'Reduce memory usage (e.g. delete points or drop collections)' : 'Reduce disk usage (e.g. delete points or drop collections)';
      throw new QuotaExceededError(`${condition}. Help: ${remedy}, or raise \`${parameter}\` in the global quota config.`);
    };
    check('memory', this.config.max_resident_memory_percent, memoryPercent(), 'Resident memory usage', 'total memory', 'max_resident_memory_percent');
    check('disk', this.config.max_disk_usage_percent, diskPercent(this.dataDir), 'Disk usage', 'total capacity', 'max_disk_usage_percent');
  }
}

function memoryPercent(): number | null {
  let total = totalmem();
  try {
    const limit = readFileSync('/sys/fs/cgroup/memory.max', 'utf8').trim();
    if (/^\d+$/.test(limit)) total = Math.min(total, Number(limit));
  } catch {
    // no cgroup v2 limit
  }
  if (total <= 0) return null;
  return Math.min(100, Math.floor((process.memoryUsage().rss * 100) / total));
}

function diskPercent(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    const total = s.blocks * s.bsize;
    if (total <= 0) return null;
    return Math.min(100, Math.floor(((s.blocks - s.bfree) * s.bsize * 100) / total));
  } catch {
    return null;
  }
}
