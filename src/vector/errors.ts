import { ConflictError, NotFoundError, PhoenixError } from '../core/errors.js';

/**
 * Errors of the vector role. Each carries the exact text Qdrant 1.19 puts in its error envelope
 * (`{"status": {"error": <message>}, "time": …}`); the API renders them once, in `api/envelope.ts`.
 */

/** 400 `Wrong input: …` — a well-formed request that cannot be applied (dimension, vector name, id). */
export class WrongInputError extends PhoenixError {
  constructor(description: string, code = 'VECTOR_WRONG_INPUT') {
    super(code, 400, `Wrong input: ${description}`);
  }
}

/** 400 `Format error in JSON body: …` — unparseable JSON or a body of the wrong shape. */
export class FormatError extends PhoenixError {
  constructor(description: string, where = 'JSON body') {
    super('VECTOR_FORMAT_ERROR', 400, `Format error in ${where}: ${description}`);
  }
}

/** 422 `Validation error in JSON body: [field: problem; …]` — right shape, value out of bounds. */
export class ValidationError extends PhoenixError {
  readonly problems: ReadonlyArray<{ field: string; message: string }>;
  constructor(problems: Array<{ field: string; message: string }>, where = 'JSON body') {
    super('VECTOR_VALIDATION_ERROR', 422, `Validation error in ${where}: [${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}]`);
    this.problems = problems;
  }
}

/** 400 `Bad request: …`. */
export class BadRequestError extends PhoenixError {
  constructor(description: string, code = 'VECTOR_BAD_REQUEST') {
    super(code, 400, `Bad request: ${description}`);
  }
}

export class CollectionNotFoundError extends NotFoundError {
  constructor(name: string) {
    super('VECTOR_COLLECTION_NOT_FOUND', `Not found: Collection \`${name}\` doesn't exist!`);
  }
}

export class CollectionExistsError extends ConflictError {
  constructor(name: string) {
    super('VECTOR_COLLECTION_EXISTS', `Wrong input: Collection \`${name}\` already exists!`);
  }
}

/** 404 for a point an operation needs (payload updates, query by id). */
export class PointNotFoundError extends NotFoundError {
  constructor(id: string | number) {
    super('VECTOR_POINT_NOT_FOUND', `Not found: No point with id ${id} found`);
  }
}

/** 404 with a free-form Qdrant text, e.g. `Point with id 7 does not exists!`. */
export class VectorNotFoundError extends NotFoundError {
  constructor(description: string, code = 'VECTOR_NOT_FOUND') {
    super(code, `Not found: ${description}`);
  }
}

/** 400 `Deserialize error in query parameters: …`. */
export class QueryParamError extends PhoenixError {
  constructor(description: string) {
    super('VECTOR_QUERY_PARAM', 400, `Deserialize error in query parameters: ${description}`);
  }
}
