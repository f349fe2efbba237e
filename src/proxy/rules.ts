import { BadRequestError } from '../core/errors.js';

/**
 * Routing rules, Traefik's syntax: matchers ``Host(`a`, `b`)``, ``PathPrefix(`/x`)``, ``Path(`/x`)``,
 * ``Method(`GET`)``, ``Header(`name`, `value`)`` combined with `&&`, `||`, `!` and parentheses.
 * A rule compiles once, when a snapshot is built, into a predicate over the request.
 */
export interface RuleRequest {
  /** Host header without the port, lower-case. */
  host: string;
  path: string;
  method: string;
  header(name: string): string | undefined;
}

export type RuleMatcher = (req: RuleRequest) => boolean;

type Token = { kind: 'ident'; value: string } | { kind: 'string'; value: string } | { kind: 'op'; value: '&&' | '||' | '!' | '(' | ')' | ',' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('&&', i) || text.startsWith('||', i)) {
      tokens.push({ kind: 'op', value: text.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if ('!(),'.includes(c)) {
      tokens.push({ kind: 'op', value: c as '!' | '(' | ')' | ',' });
      i++;
    } else if (c === '`' || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new RuleError(text, `unterminated string starting at ${i}`);
      tokens.push({ kind: 'string', value: text.slice(i + 1, end) });
      i = end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      const m = /^[A-Za-z]+/.exec(text.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'ident', value: m[0] });
      i += m[0].length;
    } else {
      throw new RuleError(text, `unexpected '${c}' at ${i}`);
    }
  }
  return tokens;
}

export class RuleError extends BadRequestError {
  constructor(rule: string, reason: string) {
    super('PROXY_RULE_INVALID', `invalid rule "${rule}": ${reason}`);
  }
}

const MATCHERS: Record<string, (args: string[]) => RuleMatcher> = {
  Host: (args) => {
    const hosts = new Set(args.map((h) => h.toLowerCase()));
    return (r) => hosts.has(r.host);
  },
  PathPrefix: (args) => (r) => args.some((p) => r.path.startsWith(p)),
  Path: (args) => (r) => args.includes(r.path),
  Method: (args) => {
    const methods = new Set(args.map((m) => m.toUpperCase()));
    return (r) => methods.has(r.method);
  },
  Header: (args) => {
    const [name, value] = args;
    if (name === undefined || value === undefined || args.length !== 2) throw new Error('Header takes a name and a value');
    return (r) => r.header(name.toLowerCase()) === value;
  },
};

/** Compiles a rule; throws RuleError with the reason when it cannot. */
export function compileRule(rule: string): RuleMatcher {
  const tokens = tokenize(rule);
  let pos = 0;
  const peek = () => tokens[pos];
  const expectOp = (v: string) => {
    const t = tokens[pos++];
    if (!t || t.kind !== 'op' || t.value !== v) throw new RuleError(rule, `expected '${v}'`);
  };
  const parseOr = (): RuleMatcher => {
    let left = parseAnd();
    while (peek()?.kind === 'op' && peek()?.value === '||') {
      pos++;
      const l = left;
      const r = parseAnd();
      left = (req) => l(req) || r(req);
    }
    return left;
  };
  const parseAnd = (): RuleMatcher => {
    let left = parseUnary();
    while (peek()?.kind === 'op' && peek()?.value === '&&') {
      pos++;
      const l = left;
      const r = parseUnary();
      left = (req) => l(req) && r(req);
    }
    return left;
  };
  const parseUnary = (): RuleMatcher => {
    const t = peek();
    if (t?.kind === 'op' && t.value === '!') {
      pos++;
      const inner = parseUnary();
      return (req) => !inner(req);
    }
    if (t?.kind === 'op' && t.value === '(') {
      pos++;
      const inner = parseOr();
      expectOp(')');
      return inner;
    }
    if (t?.kind === 'ident') {
      pos++;
      const factory = MATCHERS[t.value];
      if (!factory) throw new RuleError(rule, `unknown matcher ${t.value} (known: ${Object.keys(MATCHERS).join(', ')})`);
      expectOp('(');
      const args: string[] = [];
      while (peek()?.kind === 'string') {
        args.push((tokens[pos++] as { value: string }).value);
        if (peek()?.kind === 'op' && peek()?.value === ',') pos++;
      }
      expectOp(')');
      if (args.length === 0) throw new RuleError(rule, `${t.value} needs at least one argument`);
      try {
        return factory(args);
      } catch (err) {
        throw new RuleError(rule, (err as Error).message);
      }
    }
    throw new RuleError(rule, t ? `unexpected '${t.value}'` : 'unexpected end');
  };
  const matcher = parseOr();
  if (pos !== tokens.length) throw new RuleError(rule, `unexpected '${(tokens[pos] as Token).value}'`);
  return matcher;
}
