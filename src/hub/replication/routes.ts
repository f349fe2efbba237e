import { endpoint, type ApiRegistry } from '../api/registry.js';
import type { HubServices } from '../api/services.js';

/** `GET /api/replication`: every replica set, its phase, epoch and leader, and each replica's role, epoch, applied position and lag. */
export function replicationEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/replication',
      summary: 'Replica sets: phase, epoch, leader, and each replica’s role, epoch, applied position and lag',
      tag: 'monitoring',
      access: 'viewer',
      handler: async () => s.replication.view(),
    }),
  );
}
