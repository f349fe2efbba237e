import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChunkedDecoder } from './chunked-decoder.js';
import { parseRequestHead, RequestHeadError } from './request-head.js';

const head = (lines: string[]) => lines.join('\r\n');

function refused(text: string, status: number, message: RegExp): void {
  assert.throws(
    () => parseRequestHead(text),
    (err: unknown) => err instanceof RequestHeadError && err.status === status && message.test(err.message),
    text,
  );
}

test('a request head: method, target, headers in order with lower-case names, repeated ones joined', () => {
  const h = parseRequestHead(head(['POST /collections/c/points/search?x=1 HTTP/1.1', 'Host: localhost:8443', 'Content-Type: application/json', 'Content-Length: 12', 'X-A: 1', 'x-a:  2 ']));
  assert.equal(h.method, 'POST');
  assert.equal(h.url, '/collections/c/points/search?x=1');
  assert.equal(h.minor, 1);
  assert.equal(h.contentLength, 12);
  assert.equal(h.chunked, false);
  assert.equal(h.close, false);
  assert.equal(h.headers['content-type'], 'application/json');
  assert.equal(h.headers['x-a'], '1, 2');
  assert.deepEqual(h.rawHeaders.slice(0, 2), ['host', 'localhost:8443']);
  assert.equal(parseRequestHead(head(['GET / HTTP/1.1', 'Host: a', '__proto__: x'])).headers['__proto__'], 'x');
});

test('connection persistence: HTTP/1.1 keeps unless close, HTTP/1.0 closes unless keep-alive', () => {
  assert.equal(parseRequestHead(head(['GET / HTTP/1.1', 'Host: a', 'Connection: close'])).close, true);
  assert.equal(parseRequestHead('GET / HTTP/1.0').close, true);
  assert.equal(parseRequestHead(head(['GET / HTTP/1.0', 'Connection: Keep-Alive'])).close, false);
});

test('ambiguous or malformed framing is refused with 400', () => {
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Transfer-Encoding: chunked']), 400, /both Content-Length and Transfer-Encoding/);
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 5', 'Content-Length: 5']), 400, /more than one Content-Length/);
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Content-Length: +5']), 400, /not a number/);
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Content-Length: 1, 2']), 400, /not a number/);
  refused(head(['POST / HTTP/1.0', 'Transfer-Encoding: chunked']), 400, /HTTP\/1.0/);
  refused(head(['GET / HTTP/1.1', 'Host: a', 'X-Long: one', ' two']), 400, /obsolete line folding/);
  refused(head(['GET / HTTP/1.1', 'Host: a', 'X-Bad : one']), 400, /header name/);
  refused(head(['GET / HTTP/1.1', 'Host: a', 'X-Bad: one\ntwo: 2']), 400, /control character/);
  refused(head(['GET / HTTP/1.1', 'Host: a', 'X-Bad: one\rtwo']), 400, /control character/);
  refused(head(['GET / HTTP/1.1', 'no colon here']), 400, /without a colon/);
  refused(head(['GET / HTTP/1.1']), 400, /no Host header/);
  refused(head(['GET / HTTP/1.1', 'Host: a', 'Host: b']), 400, /more than one Host/);
  refused('GET /a b HTTP/1.1', 400, /request/);
  refused('GET /\x01 HTTP/1.1', 400, /control characters/);
  refused('G(T / HTTP/1.1', 400, /method/);
  refused('GET / HTTP/2.0', 505, /HTTP Version Not Supported/);
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Transfer-Encoding: gzip, chunked']), 501, /transfer coding/);
  refused(head(['POST / HTTP/1.1', 'Host: a', 'Expect: something']), 417, /Expectation Failed/);
});

function decode(parts: string[]): { body: string; done: boolean; rest: string } {
  const d = new ChunkedDecoder();
  let body = '';
  let rest = '';
  for (const p of parts) {
    const buf = Buffer.from(p, 'latin1');
    const at = d.feed(buf, 0, (c) => (body += c.toString('latin1')));
    if (d.done) rest += buf.toString('latin1', at);
  }
  return { body, done: d.done, rest };
}

test('chunked bodies decode the same wherever the input is split; extensions and trailers are skipped', () => {
  const wire = '5;name=value\r\nhello\r\n1A\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-Trailer: 1\r\n\r\nGET /next';
  for (let i = 0; i <= wire.length; i++) {
    for (const j of [i, Math.min(wire.length, i + 3)]) {
      const r = decode([wire.slice(0, i), wire.slice(i, j), wire.slice(j)]);
      assert.equal(r.body, 'helloabcdefghijklmnopqrstuvwxyz', `split at ${i}/${j}`);
      assert.equal(r.done, true);
      assert.equal(r.rest, 'GET /next');
    }
  }
});

test('malformed chunked bodies are refused with 400', () => {
  for (const [wire, message] of [
    ['z\r\n', /not hexadecimal/],
    ['5\nhello', /bare LF/],
    ['5\r\nhelloX\r\n', /longer than its size/],
    ['1000000000000000\r\n', /too large/],
    ['\r\n', /without a size/],
    [`5;${'e'.repeat(5000)}\r\n`, /too long/],
    ['0\r\n folded\r\n\r\n', /folding/],
  ] as const) {
    assert.throws(() => decode([wire]), (err: unknown) => err instanceof RequestHeadError && err.status === 400 && message.test(err.message), wire);
  }
});
