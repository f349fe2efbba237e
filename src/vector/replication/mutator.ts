import type { Engine } from '../engine/engine.js';
import type { Snapshots } from '../snapshots/snapshots.js';
import type { Mutation, SubmitOptions, SubmitResult } from './mutation.js';

/**
 * The one seam every write route of the API goes through. `LocalMutator` applies on this engine
 * exactly as a single replica always did (one collection log, no replication log, no extra
 * fsync); a replica set's member submits to its leader (see `Replica`).
 */
export interface Mutator {
  submit(mutation: Mutation, options: SubmitOptions): Promise<SubmitResult>;
}

export class LocalMutator implements Mutator {
  constructor(
    private readonly engine: Engine,
    private readonly snapshots: () => Snapshots,
  ) {}

  async submit(m: Mutation, options: SubmitOptions): Promise<SubmitResult> {
    switch (m.type) {
      case 'operation':
        return this.engine.get(m.collection).update(m.op, { wait: options.wait });
      case 'create_collection':
        this.engine.create(m.name, m.config);
        return { operationId: 0, status: 'completed' };
      case 'delete_collection':
        return { operationId: 0, status: 'completed', existed: this.engine.delete(m.name) };
      case 'aliases':
        this.engine.updateAliases(m.actions);
        return { operationId: 0, status: 'completed' };
      case 'restore_collection':
        await this.snapshots().recover(m.name, m.file, m.checksum);
        return { operationId: 0, status: 'completed' };
    }
  }
}
