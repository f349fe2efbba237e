import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, call, closeDispatchers, login, startTestHub, type TestHub } from './support.js';

let t: TestHub;
before(async () => {
  t = await startTestHub();
});
after(async () => {
  await t.cleanup();
  await closeDispatchers();
});

test('GET /health answers ok without a session', async () => {
  const res = await call(t, 'GET', '/health');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json, { status: 'ok' });
  const traced = await call(t, 'GET', '/health', { headers: { 'x-request-id': 'req-123' } });
  assert.equal(traced.headers['x-request-id'], 'req-123');
  assert.match(t.url, /^https:\/\/localhost:\d+$/);
});

test('login with the admin password returns a token and a secure session cookie; both open the API', async () => {
  const res = await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  assert.equal(res.status, 200, res.text);
  assert.equal(typeof res.json.token, 'string');
  assert.ok(res.json.token.length >= 40);
  assert.ok(Date.parse(res.json.expiresAt) > Date.now() + 3600_000, 'session should last hours');
  const cookie = String(res.headers['set-cookie']);
  assert.match(cookie, /^phoenix_session=[^;]+;/);
  for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) assert.ok(cookie.includes(flag), `cookie lacks ${flag}: ${cookie}`);

  const byCookie = await call(t, 'GET', '/api/stacks', { cookie: cookie.split(';')[0] as string });
  assert.equal(byCookie.status, 200);
  const byBearer = await call(t, 'GET', '/api/stacks', { token: res.json.token });
  assert.equal(byBearer.status, 200);
  assert.equal(byBearer.json[0].name, 'qdrant_service');
});

test('wrong password and unknown user get 401 problem+json without a cookie', async () => {
  for (const body of [
    { username: 'admin', password: 'wrong-password' },
    { username: 'root', password: ADMIN_PASSWORD },
  ]) {
    const res = await call(t, 'POST', '/api/auth/login', { body });
    assert.equal(res.status, 401);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json.status, 401);
    assert.equal(res.json.title, 'Unauthorized');
    assert.match(res.json.detail, /wrong username or password/);
    assert.equal(typeof res.json.type, 'string');
    assert.equal(res.headers['set-cookie'], undefined);
  }
  await login(t); // a success resets the failure count for the next tests
});

test('a malformed login body is a 400 naming the field, and the hub keeps serving', async () => {
  const cases: Array<{ raw?: { contentType: string; text: string }; body?: unknown; detail: RegExp }> = [
    { body: { username: 'admin' }, detail: /password/ },
    { body: { username: 'admin', password: 'x', extra: 1 }, detail: /extra|unrecognized/i },
    { raw: { contentType: 'application/json', text: '{"username": ' }, detail: /JSON|Unexpected|body/i },
  ];
  for (const c of cases) {
    const res = await call(t, 'POST', '/api/auth/login', c.raw ? { raw: c.raw } : { body: c.body });
    assert.equal(res.status, 400, res.text);
    assert.match(res.json.detail, c.detail);
  }
  assert.equal((await call(t, 'GET', '/health')).status, 200);
});

test('every user endpoint answers 401 without a session, with a bad token, and after logout', async () => {
  const endpoints: Array<[string, string]> = [
    ['GET', '/api/stacks'],
    ['GET', '/api/stacks/qdrant_service'],
    ['PUT', '/api/stacks/qdrant_service'],
    ['GET', '/api/instances'],
    ['GET', '/api/agents'],
    ['GET', '/api/status'],
    ['POST', '/api/auth/logout'],
  ];
  for (const [method, path] of endpoints) {
    const none = await call(t, method, path, method === 'PUT' ? { raw: { contentType: 'application/yaml', text: 'name: x' } } : {});
    assert.equal(none.status, 401, `${method} ${path} without a session: ${none.text}`);
    assert.match(none.json.detail, /log in/);
    const bad = await call(t, method, path, { token: 'not-a-session' });
    assert.equal(bad.status, 401, `${method} ${path} with a bad token`);
    const badCookie = await call(t, method, path, { cookie: 'phoenix_session=forged' });
    assert.equal(badCookie.status, 401, `${method} ${path} with a forged cookie`);
  }
  const token = await login(t);
  assert.equal((await call(t, 'GET', '/api/status', { token })).status, 200);
  const out = await call(t, 'POST', '/api/auth/logout', { token });
  assert.equal(out.status, 204);
  assert.match(String(out.headers['set-cookie']), /Max-Age=0/);
  assert.equal((await call(t, 'GET', '/api/status', { token })).status, 401, 'the token must be dead after logout');
});

test('sessions survive a hub restart; the admin password is the configured one', async () => {
  const token = await login(t);
  await t.hub.close();
  await t.hub.close(); // close() twice is safe
  await t.restart();
  assert.equal((await call(t, 'GET', '/api/stacks', { token })).status, 200);
});

test('a new admin password takes effect at restart and ends the sessions opened with the old one', async () => {
  const old = await login(t);
  await t.hub.close();
  await t.restart({ adminPassword: 'a-brand-new-password' });
  assert.equal((await call(t, 'GET', '/api/stacks', { token: old })).status, 401);
  assert.equal((await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status, 401);
  const fresh = await login(t, 'a-brand-new-password');
  assert.equal((await call(t, 'GET', '/api/stacks', { token: fresh })).status, 200);
});

test('unknown paths get a 404 problem', async () => {
  const res = await call(t, 'GET', '/api/nope');
  assert.equal(res.status, 404);
  assert.match(String(res.headers['content-type']), /problem\+json/);
  assert.match(res.json.detail, /no such endpoint: GET \/api\/nope/);
});

test('repeated failed logins are throttled with 429 and Retry-After, then allowed again after the lockout', async () => {
  const th = await startTestHub({ login: { maxFailures: 3, lockout: '1500ms' } });
  try {
    for (let i = 0; i < 3; i++) {
      assert.equal((await call(th, 'POST', '/api/auth/login', { body: { username: 'admin', password: `guess-${i}` } })).status, 401);
    }
    // Locked out now: even the right password is refused until the lockout passes.
    const locked = await call(th, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
    assert.equal(locked.status, 429, locked.text);
    const retryAfter = Number(locked.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 2, `Retry-After ${locked.headers['retry-after']}`);
    assert.match(locked.json.detail, /too many failed logins/);
    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    assert.equal((await call(th, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).status, 200);
  } finally {
    await th.cleanup();
  }
});
