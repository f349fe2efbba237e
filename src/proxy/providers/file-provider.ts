import { readFile } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { errorMessage } from '../../core/errors.js';
import { sleep } from '../../core/lifecycle.js';
import { issuesText, rawSnapshotSchema } from '../dynamic-config.js';
import type { Provider, ProviderSink } from './provider.js';

/**
 * A watched YAML (or JSON) file holding `routers`, `services` and `middlewares`. The file is read
 * at start and again whenever its directory reports a change (editors and `mv` replace files, so
 * the directory is watched, not the file), with a poll as a safety net. A file that cannot be read
 * or parsed is reported and the last good snapshot stays in force.
 */
export class FileProvider implements Provider {
  constructor(
    private readonly file: string,
    private readonly pollMs = 2000,
    readonly name = 'file',
  ) {}

  async start(sink: ProviderSink, signal: AbortSignal): Promise<void> {
    const load = async () => {
      try {
        const text = await readFile(this.file, 'utf8');
        const parsed: unknown = this.file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
        const result = rawSnapshotSchema.safeParse(parsed ?? {});
        if (!result.success) return sink.fail(`${this.file}: ${issuesText(result.error)}`);
        sink.emit(result.data);
      } catch (err) {
        sink.fail(`${this.file}: ${errorMessage(err)}`);
      }
    };
    await load();
    let watcher: FSWatcher | undefined;
    let pending: NodeJS.Timeout | undefined;
    try {
      watcher = watch(dirname(this.file), { persistent: false }, (_event, changed) => {
        if (changed && changed.toString() !== basename(this.file)) return;
        // Coalesce the several events one save makes.
        if (pending) clearTimeout(pending);
        pending = setTimeout(() => void load(), 20);
      });
      watcher.on('error', () => undefined);
    } catch {
      // no watcher on this file system: polling alone
    }
    void (async () => {
      while (!signal.aborted) {
        try {
          await sleep(this.pollMs, signal);
        } catch {
          break;
        }
        await load();
      }
      watcher?.close();
      if (pending) clearTimeout(pending);
    })();
  }
}
