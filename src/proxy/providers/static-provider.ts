import type { RawSnapshot } from '../dynamic-config.js';
import type { Provider, ProviderSink } from './provider.js';

/** Configuration given in the role's static config file: one snapshot, emitted once. */
export class StaticProvider implements Provider {
  constructor(
    private readonly snapshot: RawSnapshot,
    readonly name = 'static',
  ) {}

  start(sink: ProviderSink): void {
    sink.emit(this.snapshot);
  }
}
