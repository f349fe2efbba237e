import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { StackInvalidError, StackSyntaxError, type StackIssue } from '../errors.js';
import { stackSchema, type Stack } from './schema.js';

/** Parses and validates stack YAML. Throws StackSyntaxError (400) or StackInvalidError (422), with line numbers. */
export function parseStack(text: string): Stack {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new StackSyntaxError(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { line: pos.line, column: pos.col, path: '', message: e.message.split('\n')[0] ?? e.message };
      }),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    throw new StackSyntaxError([{ path: '', message: (err as Error).message }]);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StackInvalidError([{ line: 1, column: 1, path: '', message: 'a stack file must be a mapping with name and services' }]);
  }
  const result = stackSchema.safeParse(value);
  if (result.success) return result.data;
  throw new StackInvalidError(issuesOf(result.error, doc, lineCounter));
}

function issuesOf(error: z.ZodError, doc: Document, lineCounter: LineCounter): StackIssue[] {
  const out: StackIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push(at(doc, lineCounter, [...path, key], `unknown key "${key}"`, true));
    } else {
      const message = issue.code === 'invalid_type' && issue.message.endsWith('received undefined') ? 'required' : issue.message;
      out.push(at(doc, lineCounter, path, message, false));
    }
  }
  return out.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

function at(doc: Document, lineCounter: LineCounter, path: string[], message: string, keyNode: boolean): StackIssue {
  const offset = offsetOf(doc, path, keyNode);
  const issue: StackIssue = { path: path.join('.'), message };
  if (offset !== undefined) {
    const pos = lineCounter.linePos(offset);
    issue.line = pos.line;
    issue.column = pos.col;
  }
  return issue;
}

/** Source offset of the node at `path`, or of its closest existing ancestor. */
function offsetOf(doc: Document, path: string[], keyNode: boolean): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (let i = 0; i < path.length; i++) {
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === segment);
      if (!pair) break;
      if (last && keyNode) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node)) {
      node = node.items[Number(segment)];
      offset = rangeStart(node) ?? offset;
    } else {
      break;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
