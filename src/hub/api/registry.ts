import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ForbiddenError, UnauthorizedError } from '../../core/errors.js';
import type { SpiffeId } from '../../core/tls/spiffe.js';
import type { Principal } from '../auth/accounts.js';
import { hasRole, isRole, type Role } from '../auth/roles.js';
import { UnsupportedMediaTypeError } from '../errors.js';
import type { ActorKind } from '../store/audit.js';
import { parseBody } from './body.js';

/**
 * Every hub endpoint is declared once, as data: method, path, who may call it, its inputs (zod),
 * whether it is audited, and its handler. The registry mounts them on Fastify with the right guard
 * and generates the OpenAPI document from the same declarations, so the documentation, the role
 * checks and the tests that walk every endpoint cannot drift apart.
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
/** `public`: no credentials; a role: a user or API token with at least that role; `agent`/`router`: a client certificate of that role. */
export type Access = 'public' | Role | 'agent' | 'router';

export interface AuditNote {
  target?: string;
  detail?: Record<string, unknown>;
  /** Overrides the actor (e.g. a webhook names its stack). */
  actor?: { name: string; kind: ActorKind };
}

export interface Ctx<P, Q, B> {
  request: FastifyRequest;
  reply: FastifyReply;
  params: P;
  query: Q;
  body: B;
  /** The caller on role endpoints (throws elsewhere). */
  readonly who: Principal;
  /** The client certificate's identity on agent/router endpoints (throws elsewhere). */
  readonly peer: SpiffeId;
  audit: AuditNote;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOut<S> = S extends 'yaml' ? string : Out<S>;

export interface Endpoint<PS = unknown, QS = unknown, BS = unknown> {
  method: Method;
  url: string;
  summary: string;
  tag: string;
  access: Access;
  params?: PS;
  query?: QS;
  body?: BS;
  /** Audit action, e.g. `stack.update`; every call (allowed or refused) is logged with it. */
  audit?: string;
  /** Extra response descriptions for the OpenAPI document (status → description). */
  responses?: Record<number, string>;
  /** Media type of a successful answer when not JSON. */
  produces?: string;
  handler(ctx: Ctx<Out<PS>, Out<QS>, BodyOut<BS>>): unknown;
}

/** Declares an endpoint with its types inferred from its schemas. */
export function endpoint<PS extends z.ZodType | undefined = undefined, QS extends z.ZodType | undefined = undefined, BS extends z.ZodType | 'yaml' | undefined = undefined>(
  e: Endpoint<PS, QS, BS>,
): Endpoint {
  return e as unknown as Endpoint;
}

/** How the registry authenticates and records. */
export interface Guards {
  principal(request: FastifyRequest): Principal | undefined;
  /** Throws 403 when a cookie-authenticated, state-changing request fails the CSRF checks. */
  csrf(request: FastifyRequest, principal: Principal): void;
  peer(request: FastifyRequest, role: 'agent' | 'router'): SpiffeId;
  audit(entry: { request: FastifyRequest; status: number; action: string; principal: Principal | undefined; peer: SpiffeId | undefined; note: AuditNote }): void;
}

interface RequestState {
  principal?: Principal;
  peer?: SpiffeId;
  note: AuditNote;
}
const state = new WeakMap<FastifyRequest, RequestState>();

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class ApiRegistry {
  readonly endpoints: Endpoint[] = [];

  add(...endpoints: Endpoint[]): void {
    this.endpoints.push(...endpoints);
  }

  mount(app: FastifyInstance, guards: Guards): void {
    for (const e of this.endpoints) {
      app.route({
        method: e.method,
        url: e.url,
        onRequest: async (request) => {
          const s: RequestState = { note: {} };
          state.set(request, s);
          if (e.access === 'public') return;
          if (e.access === 'agent' || e.access === 'router') {
            s.peer = guards.peer(request, e.access);
            return;
          }
          const principal = guards.principal(request);
          if (!principal) throw new UnauthorizedError('HUB_UNAUTHENTICATED', 'log in first (POST /api/auth/login), then send the session cookie, or send Authorization: Bearer <session or API token>');
          s.principal = principal;
          if (!SAFE.has(request.method)) guards.csrf(request, principal);
          if (!hasRole(principal.role, e.access)) {
            throw new ForbiddenError('HUB_FORBIDDEN_ROLE', `${e.method} ${e.url} needs role ${e.access} or higher; ${principal.label} has role ${principal.role}`);
          }
        },
        ...(e.audit
          ? {
              onResponse: async (request: FastifyRequest, reply: FastifyReply) => {
                const s = state.get(request);
                guards.audit({ request, status: reply.statusCode, action: e.audit as string, principal: s?.principal, peer: s?.peer, note: s?.note ?? {} });
              },
            }
          : {}),
        handler: async (request, reply) => {
          const s = state.get(request) ?? { note: {} };
          const ctx: Ctx<unknown, unknown, unknown> = {
            request,
            reply,
            params: e.params ? parseBody(e.params as z.ZodType, request.params, 'path parameters') : request.params,
            query: e.query ? parseBody(e.query as z.ZodType, request.query ?? {}, 'query parameters') : undefined,
            body: readBody(e, request),
            get who(): Principal {
              if (!s.principal) throw new Error(`${e.method} ${e.url} has no principal (access ${e.access})`);
              return s.principal;
            },
            get peer(): SpiffeId {
              if (!s.peer) throw new Error(`${e.method} ${e.url} has no peer (access ${e.access})`);
              return s.peer;
            },
            audit: s.note,
          };
          return e.handler(ctx as never);
        },
      });
    }
  }
}

function readBody(e: Endpoint, request: FastifyRequest): unknown {
  if (e.body === undefined) return undefined;
  if (e.body === 'yaml') {
    if (typeof request.body !== 'string') throw new UnsupportedMediaTypeError('send the stack file as YAML text (content-type: application/yaml or text/plain)');
    return request.body;
  }
  return parseBody(e.body as z.ZodType, request.body ?? {}, 'request body');
}

export function accessRole(access: Access): Role | undefined {
  return isRole(access) ? access : undefined;
}
