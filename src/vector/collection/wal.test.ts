import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal } from './wal.js';

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-wal-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const body = (op: number) => Buffer.from(`record ${op} `.repeat((op % 7) + 1));
const ops = (wal: Wal, from: number) => [...wal.read(from)].map((r) => ({ op: r.op, text: r.body.toString() }));

test('concurrent appends are all durable, in order, and read back after reopening', async () => {
  await withDir(async (dir) => {
    const wal = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    await Promise.all(Array.from({ length: 200 }, (_, op) => wal.append(op, body(op))));
    assert.equal(wal.durableOp, 199);
    await wal.close();
    const again = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    assert.equal(again.lastOp, 199);
    assert.deepEqual(
      ops(again, 0),
      Array.from({ length: 200 }, (_, op) => ({ op, text: body(op).toString() })),
    );
    assert.deepEqual(
      ops(again, 150).map((r) => r.op),
      Array.from({ length: 50 }, (_, i) => 150 + i),
      'reading from a position',
    );
    await again.append(200, body(200));
    await again.close();
  });
});

test('a torn last frame is cut off on open; the next append continues after the last good record', async () => {
  await withDir(async (dir) => {
    const wal = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    for (let op = 0; op < 10; op++) await wal.append(op, body(op));
    await wal.close();
    const [file] = readdirSync(dir);
    const path = join(dir, file!);
    const size = statSync(path).size;
    truncateSync(path, size - 3); // the last frame loses its end
    const cut = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    assert.equal(cut.lastOp, 8);
    assert.deepEqual(
      ops(cut, 0).map((r) => r.op),
      [0, 1, 2, 3, 4, 5, 6, 7, 8],
    );
    await cut.append(9, Buffer.from('new nine'));
    await cut.close();
    appendFileSync(path, Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23])); // garbage after the end
    const again = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    assert.equal(ops(again, 9)[0]?.text, 'new nine');
    assert.equal(again.lastOp, 9);
    await again.close();
  });
});

test('a flipped byte in the middle of a closed segment refuses to open', async () => {
  await withDir(async (dir) => {
    const wal = Wal.open(dir, { segmentBytes: 200, after: -1 });
    for (let op = 0; op < 30; op++) await wal.append(op, body(op));
    await wal.close();
    const files = readdirSync(dir).sort();
    assert.ok(files.length > 2, `segments rotate (${files.length})`);
    const first = join(dir, files[0]!);
    const bytes = readFileSync(first);
    bytes[25] = bytes[25]! ^ 0xff;
    writeFileSync(first, bytes);
    assert.throws(() => Wal.open(dir, { segmentBytes: 200, after: -1 }), /damaged/);
  });
});

test('segments before a checkpoint are dropped; numbering continues after the checkpoint', async () => {
  await withDir(async (dir) => {
    const wal = Wal.open(dir, { segmentBytes: 300, after: -1 });
    for (let op = 0; op < 40; op++) await wal.append(op, body(op));
    const before = readdirSync(dir).length;
    wal.truncateBefore(30);
    const after = readdirSync(dir).length;
    assert.ok(after < before, `${before} → ${after} segments`);
    assert.equal(ops(wal, 30)[0]?.op, 30, 'records from the checkpoint on are still there');
    await wal.close();
    // A checkpoint may cover operations the log never made durable: numbering continues after it.
    const reopened = Wal.open(dir, { segmentBytes: 300, after: 45 });
    assert.equal(reopened.lastOp, 45);
    await reopened.append(46, Buffer.from('after the checkpoint'));
    await reopened.close();
    const third = Wal.open(dir, { segmentBytes: 300, after: 45 });
    assert.deepEqual(
      ops(third, 46).map((r) => r.text),
      ['after the checkpoint'],
    );
    await third.close();
  });
});

test('an append out of sequence is refused and changes nothing', async () => {
  await withDir(async (dir) => {
    const wal = Wal.open(dir, { segmentBytes: 1 << 20, after: -1 });
    await wal.append(0, body(0));
    await assert.rejects(wal.append(5, body(5)), /appended after 0/);
    await wal.append(1, body(1));
    await wal.close();
    await assert.rejects(wal.append(2, body(2)), /closed/);
  });
});
