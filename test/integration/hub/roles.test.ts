import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_PASSWORD, call, closeDispatchers, login, startTestHub, type Reply, type TestHub } from './support.js';

/**
 * Every endpoint's role check, walked from the hub's own OpenAPI document (so a new endpoint is
 * covered the day it is declared), CSRF refusals for cookie sessions, API tokens and the audit log.
 */
let t: TestHub;
let admin: string;
const tokens: Record<string, string> = {};
const RANK = ['viewer', 'operator', 'admin'];

before(async () => {
  t = await startTestHub();
  admin = await login(t);
  for (const [user, role] of [
    ['vera', 'viewer'],
    ['otto', 'operator'],
    ['ada', 'admin'],
  ] as const) {
    const created = await call(t, 'POST', '/api/users', { token: admin, body: { username: user, password: `${user}-password-1`, role } });
    assert.equal(created.status, 201, created.text);
    const session = await call(t, 'POST', '/api/auth/login', { body: { username: user, password: `${user}-password-1` } });
    assert.equal(session.status, 200, session.text);
    const token = await call(t, 'POST', '/api/tokens', { token: session.json.token, body: { name: `${user}-ci` } });
    assert.equal(token.status, 201, token.text);
    assert.match(token.json.token, /^phx_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/);
    assert.equal(token.json.role, role, 'a token carries its owner’s role by default');
    tokens[role] = token.json.token;
  }
});
after(async () => {
  await t.cleanup();
  await closeDispatchers();
});

interface Operation {
  method: string;
  path: string;
  access: string;
  hasBody: boolean;
  yaml: boolean;
}

async function operations(): Promise<Operation[]> {
  const doc = await call(t, 'GET', '/api/openapi.json');
  assert.equal(doc.status, 200);
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.json.paths as Record<string, Record<string, { 'x-phoenix-access': string; requestBody?: { content: Record<string, unknown> } }>>)) {
    for (const [method, op] of Object.entries(methods)) {
      ops.push({ method: method.toUpperCase(), path, access: op['x-phoenix-access'], hasBody: op.requestBody !== undefined, yaml: op.requestBody?.content['application/yaml'] !== undefined });
    }
  }
  return ops;
}

/** A harmless concrete request for an operation: placeholder path parameters, an empty body. */
function request(op: Operation): { path: string; o: { body?: unknown; raw?: { contentType: string; text: string } } } {
  const path = op.path.replace(/\{(\w+)\}/g, (_m, p: string) => (p === 'version' ? '999' : p === 'id' ? 'nothing0here' : p === 'secret' ? 'x'.repeat(32) : 'nothing_here'));
  if (op.yaml) return { path, o: { raw: { contentType: 'application/yaml', text: 'name: nothing_here\nservices: {}\n' } } };
  return { path, o: op.hasBody ? { body: {} } : {} };
}

const roleRefusal = (r: Reply) => r.status === 403 && r.json?.code === 'HUB_FORBIDDEN_ROLE';

test('the OpenAPI document describes every endpoint with who may call it', async () => {
  const doc = (await call(t, 'GET', '/api/openapi.json')).json;
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.components.schemas.Problem.required.includes('code'), true);
  const ops = await operations();
  assert.ok(ops.length >= 40, `only ${ops.length} operations`);
  for (const op of ops) assert.ok(['public', 'viewer', 'operator', 'admin', 'agent', 'router'].includes(op.access), `${op.method} ${op.path}: ${op.access}`);
  const access = Object.fromEntries(ops.map((o) => [`${o.method} ${o.path}`, o.access]));
  assert.equal(access['PUT /api/stacks/{name}'], 'operator');
  assert.equal(access['GET /api/stacks'], 'viewer');
  assert.equal(access['POST /api/certificates/revoke'], 'admin');
  assert.equal(access['GET /api/audit'], 'admin');
  assert.equal(access['POST /api/agent/sync'], 'agent');
  assert.equal(access['GET /api/discovery'], 'router');
  assert.equal(access['POST /api/auth/login'], 'public');
});

test('every role-guarded endpoint: 401 without credentials, 403 below its role, allowed at or above it', async () => {
  const ops = (await operations()).filter((o) => RANK.includes(o.access));
  let checked = 0;
  for (const op of ops) {
    const { path, o } = request(op);
    const anonymous = await call(t, op.method, path, o);
    assert.equal(anonymous.status, 401, `${op.method} ${path} without credentials: ${anonymous.status} ${anonymous.text}`);
    for (const role of RANK) {
      const res = await call(t, op.method, path, { ...o, token: tokens[role] as string });
      const allowed = RANK.indexOf(role) >= RANK.indexOf(op.access);
      if (allowed) {
        assert.ok(res.status !== 401 && !roleRefusal(res), `${op.method} ${path} (${op.access}) as ${role} must pass the role check: ${res.status} ${res.text}`);
      } else {
        assert.ok(roleRefusal(res), `${op.method} ${path} (${op.access}) as ${role} must be refused: ${res.status} ${res.text}`);
        assert.match(res.json.detail, new RegExp(`needs role ${op.access} or higher; .* has role ${role}`));
      }
    }
    checked++;
  }
  assert.ok(checked >= 35, `${checked} endpoints checked`);
});

test('agent and router endpoints refuse user credentials and anonymous callers', async () => {
  const ops = (await operations()).filter((o) => o.access === 'agent' || o.access === 'router');
  assert.ok(ops.length >= 5);
  for (const op of ops) {
    const { path, o } = request(op);
    for (const token of [undefined, tokens['admin']]) {
      const res = await call(t, op.method, path, { ...o, ...(token ? { token } : {}) });
      assert.equal(res.status, 403, `${op.method} ${path}: ${res.text}`);
      assert.equal(res.json.code, 'HUB_PEER_FORBIDDEN');
    }
  }
});

test('a viewer cannot deploy, scale or roll back; the stack stays as it was', async () => {
  const before = (await call(t, 'GET', '/api/stacks/qdrant_service', { token: tokens['viewer'] as string })).json;
  const yaml = (before.yaml as string).replace('interval: 2s', 'interval: 3s');
  const deploy = await call(t, 'PUT', '/api/stacks/qdrant_service', { token: tokens['viewer'] as string, raw: { contentType: 'application/yaml', text: yaml } });
  assert.equal(deploy.status, 403);
  const scale = await call(t, 'POST', '/api/stacks/qdrant_service/scale', { token: tokens['viewer'] as string, body: { service: 'qdrant', replicas: 0 } });
  assert.equal(scale.status, 403);
  const after = (await call(t, 'GET', '/api/stacks/qdrant_service', { token: admin })).json;
  assert.equal(after.version, before.version);
  // An operator can.
  const ok = await call(t, 'PUT', '/api/stacks/qdrant_service', { token: tokens['operator'] as string, raw: { contentType: 'application/yaml', text: yaml } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.version, before.version + 1);
  assert.match(ok.json.author, /^otto \(token otto-ci\)$/);
});

test('cookie sessions: a state-changing request needs the CSRF token and a same-origin Origin; bearer requests do not', async () => {
  const res = await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } });
  const cookie = String(res.headers['set-cookie']).split(';')[0] as string;
  const csrf = res.json.csrfToken as string;
  assert.match(csrf, /^[A-Za-z0-9_-]{43}$/);
  const me = await call(t, 'GET', '/api/auth/me', { cookie });
  assert.equal(me.json.csrfToken, csrf, 'the page can fetch the CSRF token again after a reload');
  const host = new URL(t.url).host;
  const body = { name: 'csrf-test' };

  const missing = await call(t, 'POST', '/api/tokens', { cookie, body });
  assert.equal(missing.status, 403);
  assert.equal(missing.json.code, 'HUB_CSRF');
  assert.match(missing.json.detail, /missing x-csrf-token/);
  const wrong = await call(t, 'POST', '/api/tokens', { cookie, body, headers: { 'x-csrf-token': 'A'.repeat(43) } });
  assert.equal(wrong.status, 403);
  assert.match(wrong.json.detail, /wrong x-csrf-token/);
  const otherSession = await call(t, 'POST', '/api/tokens', { cookie, body, headers: { 'x-csrf-token': (await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD } })).json.csrfToken } });
  assert.equal(otherSession.status, 403, 'a CSRF token belongs to its session');
  const crossOrigin = await call(t, 'POST', '/api/tokens', { cookie, body, headers: { 'x-csrf-token': csrf, origin: 'https://evil.example' } });
  assert.equal(crossOrigin.status, 403);
  assert.match(crossOrigin.json.detail, /another origin \(https:\/\/evil\.example\)/);
  const crossSite = await call(t, 'POST', '/api/tokens', { cookie, body, headers: { 'x-csrf-token': csrf, 'sec-fetch-site': 'cross-site' } });
  assert.equal(crossSite.status, 403);
  const deleteNoToken = await call(t, 'DELETE', '/api/users/vera', { cookie });
  assert.equal(deleteNoToken.status, 403, 'DELETE is state-changing too');

  const good = await call(t, 'POST', '/api/tokens', { cookie, body, headers: { 'x-csrf-token': csrf, origin: `https://${host}`, 'sec-fetch-site': 'same-origin' } });
  assert.equal(good.status, 201, good.text);
  const bearer = await call(t, 'POST', '/api/tokens', { token: res.json.token, body: { name: 'no-csrf-needed' } });
  assert.equal(bearer.status, 201);
  // Reads need no CSRF token.
  assert.equal((await call(t, 'GET', '/api/tokens', { cookie })).status, 200);
  // A login posted from another site is refused (login CSRF).
  const forged = await call(t, 'POST', '/api/auth/login', { body: { username: 'admin', password: ADMIN_PASSWORD }, headers: { origin: 'https://evil.example' } });
  assert.equal(forged.status, 403);
  assert.equal(forged.headers['set-cookie'], undefined);
});

test('API tokens: capped at the owner’s role, shown once, dead once deleted, expired or orphaned', async () => {
  const vera = (await call(t, 'POST', '/api/auth/login', { body: { username: 'vera', password: 'vera-password-1' } })).json.token as string;
  const high = await call(t, 'POST', '/api/tokens', { token: vera, body: { name: 'escalate', role: 'admin' } });
  assert.equal(high.status, 403);
  assert.equal(high.json.code, 'HUB_TOKEN_ROLE_TOO_HIGH');
  const otto = (await call(t, 'POST', '/api/auth/login', { body: { username: 'otto', password: 'otto-password-1' } })).json.token as string;
  const lower = await call(t, 'POST', '/api/tokens', { token: otto, body: { name: 'read-only', role: 'viewer' } });
  assert.equal(lower.status, 201);
  assert.equal((await call(t, 'PUT', '/api/stacks/qdrant_service', { token: lower.json.token, raw: { contentType: 'application/yaml', text: 'x' } })).status, 403, 'a viewer token of an operator is a viewer');
  const listed = await call(t, 'GET', '/api/tokens', { token: otto });
  assert.ok(listed.json.every((x: Record<string, unknown>) => x['token'] === undefined && x['username'] === 'otto'), 'the list never shows secrets, and only one’s own');
  assert.equal((await call(t, 'DELETE', `/api/tokens/${lower.json.id}`, { token: otto })).status, 204);
  assert.equal((await call(t, 'GET', '/api/stacks', { token: lower.json.token })).status, 401);

  const short = await call(t, 'POST', '/api/tokens', { token: otto, body: { name: 'short', ttl: '1s' } });
  assert.equal((await call(t, 'GET', '/api/stacks', { token: short.json.token })).status, 200);
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal((await call(t, 'GET', '/api/stacks', { token: short.json.token })).status, 401);

  // A tampered token (right id, wrong secret) is refused.
  const forged = (tokens['operator'] as string).slice(0, -4) + 'AAAA';
  assert.equal((await call(t, 'GET', '/api/stacks', { token: forged })).status, 401);

  const temp = await call(t, 'POST', '/api/users', { token: admin, body: { username: 'temp', password: 'temp-password-1', role: 'operator' } });
  assert.equal(temp.status, 201);
  const tempSession = (await call(t, 'POST', '/api/auth/login', { body: { username: 'temp', password: 'temp-password-1' } })).json.token as string;
  const tempToken = (await call(t, 'POST', '/api/tokens', { token: tempSession, body: { name: 'x' } })).json.token as string;
  assert.equal((await call(t, 'PATCH', '/api/users/temp', { token: admin, body: { role: 'viewer' } })).json.role, 'viewer');
  assert.equal((await call(t, 'PUT', '/api/stacks/qdrant_service', { token: tempToken, raw: { contentType: 'application/yaml', text: 'x' } })).status, 403, 'a demoted user’s tokens are demoted too');
  assert.equal((await call(t, 'DELETE', '/api/users/temp', { token: admin })).status, 204);
  assert.equal((await call(t, 'GET', '/api/stacks', { token: tempToken })).status, 401, 'a deleted user’s tokens die with them');
  assert.equal((await call(t, 'GET', '/api/stacks', { token: tempSession })).status, 401);
});

test('users: the first admin is protected; names are unique; bad input is a 400', async () => {
  assert.equal((await call(t, 'DELETE', '/api/users/admin', { token: admin })).status, 403);
  assert.equal((await call(t, 'PATCH', '/api/users/admin', { token: admin, body: { role: 'viewer' } })).status, 403);
  assert.equal((await call(t, 'POST', '/api/users', { token: admin, body: { username: 'vera', password: 'another-password', role: 'viewer' } })).status, 409);
  const bad = await call(t, 'POST', '/api/users', { token: admin, body: { username: 'x y', password: 'short', role: 'root' } });
  assert.equal(bad.status, 400);
  assert.match(bad.json.detail, /username/);
  assert.match(bad.json.detail, /password/);
  assert.match(bad.json.detail, /role/);
  const users = await call(t, 'GET', '/api/users', { token: admin });
  assert.deepEqual(
    users.json.map((u: { username: string; role: string }) => `${u.username}:${u.role}`),
    ['ada:admin', 'admin:admin', 'otto:operator', 'vera:viewer'],
  );
});

test('the audit log records who changed what, when and from where, refused attempts included', async () => {
  const log = await call(t, 'GET', '/api/audit?limit=1000', { token: admin });
  assert.equal(log.status, 200);
  const entries = log.json as Array<{ actor: string; action: string; target: string | null; outcome: string; client: string; at: string; status: number; detail: Record<string, unknown> | null }>;
  const created = entries.find((e) => e.action === 'user.create' && e.target === 'vera' && e.outcome === 'ok');
  assert.ok(entries.some((e) => e.action === 'user.create' && e.target === 'vera' && e.outcome === 'failed' && e.status === 409), 'a failed attempt is audited too');
  assert.ok(created, 'user creation is audited');
  assert.equal(created.actor, 'admin');
  assert.equal(created.outcome, 'ok');
  assert.equal(created.client, '127.0.0.1');
  assert.ok(Math.abs(Date.parse(created.at) - Date.now()) < 120_000);
  assert.deepEqual(created.detail, { role: 'viewer' });
  const refused = entries.find((e) => e.action === 'stack.deploy' && e.outcome === 'refused' && e.actor === 'vera (token vera-ci)');
  assert.ok(refused, 'a refused deploy by a viewer is audited');
  assert.equal(refused.status, 403);
  const deployed = entries.find((e) => e.action === 'stack.deploy' && e.outcome === 'ok');
  assert.equal(deployed?.target, 'qdrant_service');
  assert.ok(entries.some((e) => e.action === 'auth.login' && e.outcome === 'refused' && e.actor === 'admin'), 'the forged login is audited');
  assert.ok(entries.some((e) => e.action === 'token.delete'));
  // Filters and paging.
  const onlyUsers = await call(t, 'GET', '/api/audit?action=user.', { token: admin });
  assert.ok(onlyUsers.json.length > 0 && onlyUsers.json.every((e: { action: string }) => e.action.startsWith('user.')));
  const first = await call(t, 'GET', '/api/audit?limit=2', { token: admin });
  const next = await call(t, 'GET', `/api/audit?limit=2&before=${first.json[1].id}`, { token: admin });
  assert.ok(next.json[0].id < first.json[1].id);
  // Viewers and operators do not read it.
  assert.equal((await call(t, 'GET', '/api/audit', { token: tokens['operator'] as string })).status, 403);
});
