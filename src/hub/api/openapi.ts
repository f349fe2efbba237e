import { z } from 'zod';
import type { Endpoint } from './registry.js';

/**
 * The hub's OpenAPI 3.1 document, generated from the endpoint declarations (served at
 * `GET /api/openapi.json`). Each operation states who may call it in `x-phoenix-access`
 * (`public`, `viewer`, `operator`, `admin`, `agent`, `router`); errors are RFC 9457 problem+json.
 */
const PROBLEM = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', description: 'urn:phoenix:problem:<CODE>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', description: 'stable machine-readable code, e.g. HUB_STACK_INVALID' },
    instance: { type: 'string' },
    errors: { type: 'array', description: 'stack problems with line and column', items: { type: 'object' } },
  },
};

function schemaOf(s: unknown): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(s as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    delete json['$schema'];
    return json;
  } catch {
    return {};
  }
}

function parameters(e: Endpoint): unknown[] {
  const out: unknown[] = [];
  for (const [where, s] of [
    ['path', e.params],
    ['query', e.query],
  ] as const) {
    if (!s) continue;
    const json = schemaOf(s);
    const props = (json['properties'] ?? {}) as Record<string, unknown>;
    const required = new Set((json['required'] ?? []) as string[]);
    for (const [name, schema] of Object.entries(props)) out.push({ name, in: where, required: where === 'path' || required.has(name), schema });
  }
  return out;
}

function security(e: Endpoint): unknown[] | undefined {
  switch (e.access) {
    case 'public':
      return [];
    case 'agent':
    case 'router':
      return [{ mutualTLS: [] }];
    default:
      return [{ sessionCookie: [] }, { bearer: [] }];
  }
}

export function openApiDocument(endpoints: readonly Endpoint[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const e of endpoints) {
    const path = e.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const responses: Record<string, unknown> = {
      '200': { description: 'success', content: { [e.produces ?? 'application/json']: {} } },
    };
    for (const [status, description] of Object.entries(e.responses ?? {})) responses[status] = { description };
    const problems: Record<string, string> = { '400': 'invalid input' };
    if (e.access !== 'public') Object.assign(problems, e.access === 'agent' || e.access === 'router' ? { '403': 'client certificate missing or of another role' } : { '401': 'not logged in', '403': 'role too low, or CSRF check failed' });
    for (const [status, description] of Object.entries(problems)) {
      responses[status] ??= { description, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
    }
    const op: Record<string, unknown> = {
      operationId: `${e.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      summary: e.summary,
      tags: [e.tag],
      'x-phoenix-access': e.access,
      ...(e.audit ? { 'x-phoenix-audit': e.audit } : {}),
      security: security(e),
      responses,
    };
    const params = parameters(e);
    if (params.length > 0) op['parameters'] = params;
    if (e.body === 'yaml') {
      op['requestBody'] = { required: true, content: { 'application/yaml': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } } };
    } else if (e.body) {
      op['requestBody'] = { required: true, content: { 'application/json': { schema: schemaOf(e.body) } } };
    }
    (paths[path] ??= {})[e.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Phoenix hub API',
      version,
      description:
        'Deploy, scale and watch the Phoenix platform. Log in with POST /api/auth/login (session cookie plus a CSRF token for state-changing requests) or send an API token as Authorization: Bearer. Errors are RFC 9457 problem+json.',
    },
    components: {
      schemas: { Problem: PROBLEM },
      securitySchemes: {
        sessionCookie: { type: 'apiKey', in: 'cookie', name: 'phoenix_session', description: 'state-changing requests also need the X-CSRF-Token header' },
        bearer: { type: 'http', scheme: 'bearer', description: 'a session token from POST /api/auth/login or an API token (phx_…)' },
        mutualTLS: { type: 'mutualTLS', description: 'a client certificate from the platform CA with the stated role' },
      },
    },
    paths,
  };
}
