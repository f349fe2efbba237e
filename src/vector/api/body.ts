import type { z } from 'zod';
import { FormatError } from '../errors.js';

/**
 * Request bodies: JSON parsing and shape checking, with errors in Qdrant's words. A body that is
 * not JSON, or not of the expected shape, is a 400 `Format error in JSON body: …` (what serde
 * reports in Qdrant); values of the right shape but out of bounds are checked later, in
 * `convert/`, as 422 validation errors.
 */
export function parseJsonText(text: string): unknown {
  // An empty body is no body: routes that need one report it (`parseBody`), others ignore it.
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FormatError(describeJsonError(text, err as Error));
  }
  if (nestingDepth(value) > MAX_DEPTH) throw new FormatError(`recursion limit exceeded at line 1 column ${MAX_DEPTH + 1}`);
  return value;
}

/** serde_json's nesting limit: deeper documents are refused before anything walks them recursively. */
const MAX_DEPTH = 128;

/** Deepest nesting of arrays/objects in a parsed JSON value (iterative, so it cannot overflow the stack). */
export function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const depth = d + 1;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth]);
  }
  return max;
}

/** JSON.parse's message with serde's `at line L column C` position when one is known. */
function describeJsonError(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  const message = err.message.replace(/ in JSON at position \d+.*$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  if (!m) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} at line ${line} column ${column}`;
}

/** Validates a parsed body against a wire schema; a mismatch is a Format error. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  if (body === undefined) throw new FormatError('EOF while parsing a value at line 1 column 0');
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw new FormatError(describeIssue(result.error.issues[0]!));
}

type Issue = z.core.$ZodIssue;

export function describeIssue(issue: Issue): string {
  const where = issue.path.length > 0 ? ` at \`${formatPath(issue.path)}\`` : '';
  switch (issue.code) {
    case 'invalid_type':
      if (!('input' in issue) || issue.input === undefined) {
        const last = issue.path[issue.path.length - 1];
        return typeof last === 'string' ? `missing field \`${last}\`${issue.path.length > 1 ? ` at \`${formatPath(issue.path.slice(0, -1))}\`` : ''}` : `missing value${where}`;
      }
      return `invalid type: ${serdeKind(issue.input)}, expected ${expectedName(issue.expected)}${where}`;
    case 'too_small':
    case 'too_big':
      return `invalid value: ${serdeKind(issue.input)}, expected ${issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`}${where}`;
    case 'invalid_value':
      return `unknown variant ${serdeKind(issue.input)}, expected one of ${issue.values.map((v) => `\`${String(v)}\``).join(', ')}${where}`;
    case 'unrecognized_keys':
      return `unknown field \`${issue.keys[0] ?? ''}\`${where}`;
    case 'custom':
    case 'invalid_union':
      // Our own texts, written as Qdrant words them (no position).
      return issue.message;
    default:
      return `${issue.message}${where}`;
  }
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? String(p) : `.${String(p)}`;
  return out;
}

function expectedName(expected: string): string {
  switch (expected) {
    case 'int':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'string':
      return 'a string';
    case 'boolean':
      return 'a boolean';
    case 'array':
      return 'a sequence';
    case 'object':
    case 'record':
      return 'a map';
    default:
      return expected;
  }
}

/** How serde names a JSON value in its messages. */
export function serdeKind(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'number') return Number.isInteger(v) ? `integer \`${v}\`` : `floating point \`${v}\``;
  if (Array.isArray(v)) return 'a sequence';
  if (typeof v === 'object') return 'a map';
  return String(v);
}

/** Qdrant's `SerdeValue` display used in its point-id message: strings unquoted, null as `Unit`. */
export function serdeValue(v: unknown): string {
  if (v === null) return 'Unit';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}
