import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileFollower, lastLines } from './tail.js';
import { rotateIfLarge } from './rotation.js';

function temp(): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-tail-'));
  return { dir, file: join(dir, 'x.log') };
}

test('the last n lines of a log, across read blocks', () => {
  const { dir, file } = temp();
  try {
    const lines = Array.from({ length: 20_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    assert.deepEqual(lastLines(file, 3).lines, lines.slice(-3));
    assert.deepEqual(lastLines(file, 5000).lines, lines.slice(-5000));
    assert.deepEqual(lastLines(file, 0).lines, []);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('following a log returns whole new lines, and starts over after the file is rotated', () => {
  const { dir, file } = temp();
  try {
    writeFileSync(file, 'old\n');
    const f = new FileFollower(file, lastLines(file, 10).offset);
    assert.deepEqual(f.read(), []);
    appendFileSync(file, 'a\nb');
    assert.deepEqual(f.read(), ['a'], 'a partial line waits for its end');
    appendFileSync(file, 'c\n');
    assert.deepEqual(f.read(), ['bc']);
    // Rotation: copied to .1, truncated, written again.
    appendFileSync(file, 'x'.repeat(200) + '\n');
    f.read();
    assert.equal(rotateIfLarge(file, 100, 2), true);
    assert.match(readFileSync(`${file}.1`, 'utf8'), /^old\na\nbc\nx+\n$/);
    appendFileSync(file, 'after rotation\n');
    assert.deepEqual(f.read(), ['after rotation']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('rotation keeps the configured number of old logs', () => {
  const { dir, file } = temp();
  try {
    for (let i = 1; i <= 4; i++) {
      writeFileSync(file, `${'g'.repeat(50)}${i}\n`);
      rotateIfLarge(file, 10, 2);
    }
    assert.match(readFileSync(`${file}.1`, 'utf8'), /4\n$/);
    assert.match(readFileSync(`${file}.2`, 'utf8'), /3\n$/);
    assert.throws(() => readFileSync(`${file}.3`));
    assert.equal(readFileSync(file, 'utf8'), '');
    assert.equal(rotateIfLarge(file, 10, 2), false, 'an empty log is not rotated');
  } finally {
    rmSync(dir, { recursive: true });
  }
});
