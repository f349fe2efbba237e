import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CsrfGuard, crossSiteReason } from './csrf.js';

const guard = new CsrfGuard(randomBytes(32));
const host = 'hub.example:9443';

test('the CSRF token is bound to the session and checked in constant form', () => {
  const a = guard.tokenFor('session-a');
  assert.notEqual(a, guard.tokenFor('session-b'));
  assert.equal(guard.check('session-a', { host, 'x-csrf-token': a }), undefined);
  assert.match(guard.check('session-b', { host, 'x-csrf-token': a }) ?? '', /wrong/);
  assert.match(guard.check('session-a', { host }) ?? '', /missing/);
  assert.match(new CsrfGuard(randomBytes(32)).check('session-a', { host, 'x-csrf-token': a }) ?? '', /wrong/, 'another hub secret, another token');
});

const cases: Array<[string, Record<string, string>, RegExp | undefined]> = [
  ['no Origin (same-origin GET-style clients, curl)', { host }, undefined],
  ['the hub’s own origin', { host, origin: `https://${host}` }, undefined],
  ['another origin', { host, origin: 'https://evil.example' }, /another origin/],
  ['the same host on another port', { host, origin: 'https://hub.example:8443' }, /another origin/],
  ['an opaque origin (sandboxed frame, data: URL)', { host, origin: 'null' }, /opaque/],
  ['Sec-Fetch-Site cross-site', { host, 'sec-fetch-site': 'cross-site' }, /another site/],
  ['Sec-Fetch-Site same-site (a sibling subdomain)', { host, 'sec-fetch-site': 'same-site' }, /another site/],
  ['Sec-Fetch-Site same-origin', { host, origin: `https://${host}`, 'sec-fetch-site': 'same-origin' }, undefined],
];
for (const [what, headers, refused] of cases) {
  test(`cross-site check: ${what}`, () => {
    const reason = crossSiteReason(headers);
    if (refused) assert.match(reason ?? '', refused);
    else assert.equal(reason, undefined);
  });
}
