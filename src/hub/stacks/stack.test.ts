import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStack } from './parse.js';
import { DEFAULT_STACK_YAML } from './default.js';
import { StackInvalidError, StackSyntaxError, type StackIssue } from '../errors.js';
import { desiredInstances, routedServices } from './instances.js';

function issuesOf(text: string): { kind: 'syntax' | 'invalid'; issues: readonly StackIssue[] } {
  try {
    parseStack(text);
  } catch (err) {
    if (err instanceof StackSyntaxError) return { kind: 'syntax', issues: err.issues };
    if (err instanceof StackInvalidError) return { kind: 'invalid', issues: err.issues };
    throw err;
  }
  assert.fail('expected the stack to be refused');
}

test('the built-in qdrant_service stack is valid and yields one routed instance', () => {
  const stack = parseStack(DEFAULT_STACK_YAML);
  assert.equal(stack.name, 'qdrant_service');
  const qdrant = stack.services['qdrant'];
  assert.ok(qdrant);
  assert.equal(qdrant.runtime, 'embedded');
  assert.equal(qdrant.replicas, 1);
  assert.deepEqual(qdrant.healthcheck, { path: '/readyz', interval: 2000, timeout: 1000, retries: 3, startPeriod: 0 });
  assert.deepEqual(desiredInstances([stack]), [
    {
      id: 'qdrant_service-qdrant-1',
      stack: 'qdrant_service',
      service: 'qdrant',
      slot: 1,
      runtime: 'embedded',
      spec: { restart: 'always', healthcheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000, retries: 3, startPeriodMs: 0 } },
    },
  ]);
  assert.deepEqual(routedServices([stack]), [
    { name: 'qdrant', stack: 'qdrant_service', hosts: ['qdrant'], default: true, healthCheck: { path: '/readyz', intervalMs: 2000, timeoutMs: 1000 } },
  ]);
});

const refused: Array<{ what: string; yaml: string; kind: 'syntax' | 'invalid'; line: number; path?: string; message: RegExp }> = [
  {
    what: 'more replicas than a stack may ask for, at the line',
    yaml: DEFAULT_STACK_YAML.replace('replicas: 1', 'replicas: 65'),
    kind: 'invalid',
    line: 5,
    path: 'services.qdrant.replicas',
    message: /Too big: expected number to be <=64/,
  },
  {
    what: 'an unknown runtime, naming the known ones',
    yaml: DEFAULT_STACK_YAML.replace('runtime: embedded', 'runtime: docker'),
    kind: 'invalid',
    line: 4,
    path: 'services.qdrant.runtime',
    message: /unknown runtime "docker"; known runtimes: embedded, process, external/,
  },
  {
    what: 'an unknown key, at the key',
    yaml: DEFAULT_STACK_YAML.replace('    labels:', '    image: qdrant/qdrant\n    labels:'),
    kind: 'invalid',
    line: 6,
    path: 'services.qdrant.image',
    message: /unknown key "image"/,
  },
  {
    what: 'a bad duration',
    yaml: DEFAULT_STACK_YAML.replace('interval: 2s', 'interval: often'),
    kind: 'invalid',
    line: 11,
    path: 'services.qdrant.healthcheck.interval',
    message: /invalid duration "often"/,
  },
  {
    what: 'a stack name with a dash',
    yaml: DEFAULT_STACK_YAML.replace('name: qdrant_service', 'name: qdrant-service'),
    kind: 'invalid',
    line: 1,
    path: 'name',
    message: /no -/,
  },
  {
    what: 'bad YAML (an unclosed flow mapping)',
    yaml: 'name: qdrant_service\nservices:\n  qdrant: {runtime: embedded\n',
    kind: 'syntax',
    line: 4,
    message: /flow map|Missing|Expected/i,
  },
  {
    what: 'bad YAML (bad indentation)',
    yaml: 'name: qdrant_service\nservices:\n  qdrant:\n    runtime: embedded\n   replicas: 1\n',
    kind: 'syntax',
    line: 5,
    message: /indent|mapping/i,
  },
  {
    what: 'a duplicate key',
    yaml: 'name: a\nname: b\nservices: {}\n',
    kind: 'syntax',
    line: 2,
    message: /unique/i,
  },
  {
    what: 'a document that is not a mapping',
    yaml: '- just\n- a list\n',
    kind: 'invalid',
    line: 1,
    message: /must be a mapping/,
  },
];

for (const c of refused) {
  test(`stack validation refuses ${c.what}, with a line number`, () => {
    const { kind, issues } = issuesOf(c.yaml);
    assert.equal(kind, c.kind);
    const issue = issues.find((i) => c.message.test(i.message));
    assert.ok(issue, `no issue matching ${c.message} in ${JSON.stringify(issues)}`);
    assert.equal(issue.line, c.line, JSON.stringify(issue));
    if (c.path !== undefined) assert.equal(issue.path, c.path);
  });
}

test('the refusal message reads as one line per problem, each with its line number', () => {
  try {
    parseStack(DEFAULT_STACK_YAML.replace('replicas: 1', 'replicas: 65').replace('runtime: embedded', 'runtime: embedded\n    extra: 1'));
    assert.fail('expected a refusal');
  } catch (err) {
    assert.ok(err instanceof StackInvalidError);
    assert.match(err.message, /line 5:\d+: services\.qdrant\.extra: unknown key "extra"/);
    assert.match(err.message, /line 6:\d+: services\.qdrant\.replicas: Too big/);
    assert.equal(err.status, 422);
  }
});

test('replicas: 3 of the embedded engine is accepted: a replica set of three instances', () => {
  const stack = parseStack(DEFAULT_STACK_YAML.replace('replicas: 1', 'replicas: 3'));
  assert.equal(stack.services['qdrant']?.replicas, 3);
  assert.deepEqual(
    desiredInstances([stack]).map((i) => [i.id, i.runtime]),
    [1, 2, 3].map((n) => [`qdrant_service-qdrant-${n}`, 'embedded']),
  );
});

test('replicas: 0 is accepted and asks for no instances; labels may be written unquoted', () => {
  const stack = parseStack('name: s\nservices:\n  q:\n    runtime: embedded\n    replicas: 0\n    labels: {phoenix.router.default: true, phoenix.router.host: "a, b"}\n');
  assert.deepEqual(desiredInstances([stack]), []);
  const [routed] = routedServices([stack]);
  assert.deepEqual(routed?.hosts, ['a', 'b']);
  assert.equal(routed?.default, true);
});
