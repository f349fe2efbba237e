import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResponseParser } from './response-parser.js';

function parse(chunks: string[], head = false) {
  const out = { status: 0, headers: [] as string[], body: '', ended: false };
  const p = new ResponseParser({ onHead: (s, h) => ((out.status = s), (out.headers = h)), onBody: (b) => (out.body += b.toString()), onEnd: () => (out.ended = true) }, head);
  for (const c of chunks) p.feed(Buffer.from(c));
  return { out, p };
}

/** Every answer split at every byte gives the same result. */
function everySplit(text: string, check: (r: ReturnType<typeof parse>) => void): void {
  for (let i = 0; i <= text.length; i++) check(parse([text.slice(0, i), text.slice(i)]));
}

test('content-length bodies, split anywhere', () => {
  everySplit('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}', ({ out, p }) => {
    assert.equal(out.status, 200);
    assert.deepEqual(out.headers, ['content-type', 'application/json', 'content-length', '11']);
    assert.equal(out.body, '{"ok":true}');
    assert.ok(out.ended && p.keepAlive);
  });
});

test('chunked bodies with extensions and trailers, split anywhere', () => {
  everySplit('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n', ({ out }) => {
    assert.equal(out.body, 'Wikipedia');
    assert.ok(out.ended);
  });
  const { out } = parse(['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n']);
  assert.equal(out.body, '');
  assert.ok(out.ended);
});

test('no body for HEAD, 204 and 304; interim 100 answers are skipped', () => {
  assert.ok(parse(['HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n'], true).out.ended);
  assert.ok(parse(['HTTP/1.1 204 No Content\r\n\r\n']).out.ended);
  assert.ok(parse(['HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n']).out.ended);
  const { out } = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok']);
  assert.equal(out.status, 201);
  assert.equal(out.body, 'ok');
});

test('without a length the body runs to the close and the connection is not reused', () => {
  const { out, p } = parse(['HTTP/1.1 200 OK\r\n\r\nsome', ' bytes']);
  assert.equal(out.ended, false);
  assert.equal(p.end(), true);
  assert.equal(out.body, 'some bytes');
  assert.equal(p.keepAlive, false);
  assert.equal(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).p.keepAlive, false);
  assert.equal(parse(['HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']).p.keepAlive, false);
});

test('malformed answers are refused (no smuggling through the proxy)', () => {
  const bad = [
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n',
    'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
    'HTTP/1.1 200 OK\r\n folded: header\r\n\r\n',
    'SSH-2.0-OpenSSH\r\n\r\n',
    'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'HTTP/1.1 101 Switching Protocols\r\n\r\n',
  ];
  for (const text of bad) assert.throws(() => parse([text]), Error, JSON.stringify(text));
});

test('a cut answer is not complete', () => {
  const { p } = parse(['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc']);
  assert.equal(p.end(), false);
});
