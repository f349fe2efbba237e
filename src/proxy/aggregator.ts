import type { Logger } from 'pino';
import type { z } from 'zod';
import {
  issuesText,
  middlewareSchema,
  routerSchema,
  serviceSchema,
  type DynamicConfig,
  type ItemError,
  type RawSnapshot,
} from './dynamic-config.js';

/** A validated, merged snapshot with the items that had to be left out. */
export interface AggregatedConfig {
  config: DynamicConfig;
  errors: ItemError[];
}

export interface AggregatorOptions {
  logger: Logger;
  /** At most one rebuild per this many ms; the first change after a quiet period applies at once. */
  throttleMs: number;
  apply(snapshot: AggregatedConfig): void;
}

const PROVIDER_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * Providers → aggregator → build + swap. Each provider hands in full snapshots; an unchanged one is
 * dropped. Changes are merged (names become `name@provider`, references without `@` resolve within
 * the same provider), each item is validated on its own, and the result is applied — throttled, so a
 * burst of changes costs one rebuild.
 */
export class ConfigAggregator {
  private readonly snapshots = new Map<string, { text: string; raw: RawSnapshot }>();
  private readonly providerErrors = new Map<string, string>();
  private lastApplied = '';
  private lastApplyAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: AggregatorOptions) {}

  /** A provider's full snapshot. */
  update(provider: string, snapshot: RawSnapshot): void {
    if (!PROVIDER_NAME.test(provider)) throw new Error(`invalid provider name ${provider}`);
    const text = JSON.stringify(snapshot);
    const hadError = this.providerErrors.delete(provider);
    if (hadError) this.options.logger.info({ provider }, 'configuration provider works again');
    if (this.snapshots.get(provider)?.text === text && !hadError) return;
    this.snapshots.set(provider, { text, raw: snapshot });
    this.schedule();
  }

  /** A provider could not produce a snapshot (e.g. a YAML syntax error); its last one stays in force. */
  fail(provider: string, message: string): void {
    if (this.providerErrors.get(provider) === message) return;
    this.options.logger.warn({ provider, err: message }, 'configuration provider failed; its last snapshot stays in force');
    this.providerErrors.set(provider, message);
    this.schedule();
  }

  /** Applies pending changes now (start-up, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.rebuild();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    const wait = Math.max(0, this.lastApplyAt + this.options.throttleMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.rebuild();
    }, wait);
    this.timer.unref();
  }

  private rebuild(): void {
    if (this.closed) return;
    const merged = this.merge();
    const text = JSON.stringify(merged);
    if (text === this.lastApplied) return;
    this.lastApplied = text;
    this.lastApplyAt = Date.now();
    try {
      this.options.apply(merged);
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message }, 'applying the configuration failed; the previous one stays');
    }
  }

  private merge(): AggregatedConfig {
    const config: DynamicConfig = { routers: {}, services: {}, middlewares: {} };
    const errors: ItemError[] = [];
    for (const [provider, message] of this.providerErrors) errors.push({ item: `@${provider}`, error: message });
    for (const [provider, { raw }] of [...this.snapshots].sort(([a], [b]) => a.localeCompare(b))) {
      const qualify = (name: string) => (name.includes('@') ? name : `${name}@${provider}`);
      const each = <S extends z.ZodType>(items: Record<string, unknown> | undefined, schema: S, put: (name: string, value: z.output<S>) => void) => {
        for (const [name, value] of Object.entries(items ?? {})) {
          const full = `${name}@${provider}`;
          if (name.includes('@')) {
            errors.push({ item: `${name} (from ${provider})`, error: 'item names must not contain @; the provider name is added' });
            continue;
          }
          const parsed = schema.safeParse(value);
          if (parsed.success) put(full, parsed.data);
          else errors.push({ item: full, error: issuesText(parsed.error) });
        }
      };
      each(raw.services, serviceSchema, (name, s) => (config.services[name] = s));
      each(raw.middlewares, middlewareSchema, (name, m) => (config.middlewares[name] = m));
      each(raw.routers, routerSchema, (name, r) => (config.routers[name] = { ...r, service: qualify(r.service), middlewares: r.middlewares.map(qualify) }));
    }
    return { config, errors };
  }
}
