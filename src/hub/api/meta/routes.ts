import { openApiDocument } from '../openapi.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

/** The API's own description: `GET /api/openapi.json`, generated from the endpoint declarations. */
export function metaEndpoints(api: ApiRegistry, s: HubServices): void {
  let cached: unknown;
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/openapi.json',
      summary: 'This API, as an OpenAPI 3.1 document',
      tag: 'meta',
      access: 'public',
      handler: async () => (cached ??= openApiDocument(api.endpoints, s.version)),
    }),
  );
}
