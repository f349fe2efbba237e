import type { FastifyRequest } from 'fastify';
import { QueryParamError, ValidationError, WrongInputError } from '../errors.js';
import { parsePointIdText, type PointId } from '../segment/point-id.js';

/** Path and query parameters, checked like Qdrant checks them. */
const FORBIDDEN = ['<', '>', ':', '"', '/', '\\', '|', '?', '*', '\0', '\u001f'];

/** `{collection_name}`: 1–255 characters, none of Qdrant's forbidden ones. */
export function collectionName(request: FastifyRequest): string {
  const name = (request.params as { name?: string }).name ?? '';
  if (name.length < 1 || name.length > 255) {
    throw new ValidationError([{ field: 'name', message: `value "${name}" invalid, must be from 1 to 255 characters` }], 'path parameters');
  }
  const bad = FORBIDDEN.find((c) => name.includes(c));
  if (bad !== undefined) throw new ValidationError([{ field: 'name', message: `collection name cannot contain "${bad}" char` }], 'path parameters');
  return name;
}

/** `{id}` of `GET /points/{id}`. */
export function pathPointId(request: FastifyRequest): PointId {
  const text = (request.params as { id?: string }).id ?? '';
  const r = parsePointIdText(text);
  if (!r.ok) throw new WrongInputError(`Can not recognize "${text}" as point id`, 'VECTOR_POINT_ID');
  return r.id;
}

/** `?wait=true|false` (default false). */
export function waitParam(request: FastifyRequest): boolean {
  const wait = (request.query as Record<string, unknown>).wait;
  if (wait === undefined || wait === '' || wait === 'false') return false;
  if (wait === 'true') return true;
  throw new QueryParamError('provided string was not `true` or `false`');
}
