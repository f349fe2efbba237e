import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STACK_YAML } from './default.js';
import { diffLines } from './diff.js';
import { includeInstance, setReplicas } from './edit.js';
import { parseStack } from './parse.js';

test('scaling edits only the replicas line: comments and layout stay as written', () => {
  const scaled = setReplicas(DEFAULT_STACK_YAML, 'qdrant', 0);
  const changes = diffLines(DEFAULT_STACK_YAML, scaled).filter((l) => l.op !== ' ');
  assert.deepEqual(changes.map((l) => `${l.op}${l.text}`), ['-    replicas: 1', '+    replicas: 0']);
  assert.match(scaled, /# Phoenix's own vector engine/);
  assert.throws(() => setReplicas(DEFAULT_STACK_YAML, 'nope', 1), /has no service "nope"; services: qdrant/);
});

test('including a found instance raises the replicas of an existing service, or adds the service, or creates the stack', () => {
  const raised = includeInstance(setReplicas(DEFAULT_STACK_YAML, 'qdrant', 0), 'qdrant_service', 'qdrant', 1, { runtime: 'embedded' });
  assert.equal(parseStack(raised).services['qdrant']?.replicas, 1);
  const added = includeInstance(DEFAULT_STACK_YAML, 'qdrant_service', 'extra', 2, { runtime: 'process', command: '/bin/server', args: ['--port', '${PHOENIX_PORT}'], env: { A: '1' } });
  const svc = parseStack(added).services['extra'];
  assert.deepEqual([svc?.runtime, svc?.replicas, svc?.command, svc?.args, svc?.env], ['process', 2, '/bin/server', ['--port', '${PHOENIX_PORT}'], { A: '1' }]);
  const created = includeInstance(undefined, 'lab', 'svc', 1, { runtime: 'process', command: '/bin/x' });
  assert.equal(created, 'name: lab\nservices:\n  svc:\n    runtime: process\n    replicas: 1\n    command: /bin/x\n');
});

test('a line diff marks removed and added lines with their line numbers', () => {
  const d = diffLines('a\nb\nc\n', 'a\nB\nc\nd\n');
  assert.deepEqual(
    d.map((l) => [l.op, l.text, l.oldLine, l.newLine]),
    [
      [' ', 'a', 1, 1],
      ['-', 'b', 2, null],
      ['+', 'B', null, 2],
      [' ', 'c', 3, 3],
      ['+', 'd', null, 4],
    ],
  );
  assert.deepEqual(diffLines('', ''), []);
});
