import { PhoenixError } from '../core/errors.js';

/** One problem found in a stack file, with where it is. */
export interface StackIssue {
  /** 1-based line and column in the YAML text; absent when the position is unknown. */
  line?: number;
  column?: number;
  /** Path of the offending value, e.g. `services.qdrant.replicas`. */
  path: string;
  message: string;
}

function describe(issues: readonly StackIssue[]): string {
  return issues.map((i) => `${i.line !== undefined ? `line ${i.line}${i.column !== undefined ? `:${i.column}` : ''}: ` : ''}${i.path ? `${i.path}: ` : ''}${i.message}`).join('; ');
}

/** The stack text is not YAML (400). */
export class StackSyntaxError extends PhoenixError {
  constructor(readonly issues: readonly StackIssue[]) {
    super('HUB_STACK_YAML_INVALID', 400, `invalid stack YAML: ${describe(issues)}`);
  }
}

/** The stack is YAML but not a valid stack (422). */
export class StackInvalidError extends PhoenixError {
  constructor(readonly issues: readonly StackIssue[]) {
    super('HUB_STACK_INVALID', 422, `invalid stack: ${describe(issues)}`);
  }
}

/** Too many failed logins from one client (429, with Retry-After). */
export class LoginThrottledError extends PhoenixError {
  constructor(readonly retryAfterSeconds: number) {
    super('HUB_LOGIN_THROTTLED', 429, `too many failed logins; try again in ${retryAfterSeconds} s`);
  }
}

/** The request body is of a media type this endpoint does not take (415). */
export class UnsupportedMediaTypeError extends PhoenixError {
  constructor(message: string) {
    super('HUB_UNSUPPORTED_MEDIA_TYPE', 415, message);
  }
}
