import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { silentLogger } from '../../../src/core/log.js';
import { remoteIssuer, TlsIdentity } from '../../../src/core/tls/identity.js';
import { x509 } from '../../../src/core/tls/x509.js';
import { agentConfigSchema } from '../../../src/agent/config.js';
import { listCertificates } from '../../../src/pki/operator.js';
import { startAgent } from '../../../src/agent/main.js';
import { validateConfig } from '../../../src/core/config.js';
import { call, closeDispatchers, eventually, login } from './support.js';
import { ADMIN, startControlPlane, TD, type ControlPlane } from './control-plane.js';

/**
 * Host enrollment with one-time tokens, against the real CA: the token works once, the host gets
 * its agent identity from the CA with what the hub hands out, shows up with its facts, and is cut
 * off once its certificate is revoked.
 */
let cp: ControlPlane;
let admin: string;
before(async () => {
  cp = await startControlPlane({ health: { deployTick: '100ms' } });
  admin = await login(cp.target, ADMIN);
});
after(async () => {
  await cp.close();
  await closeDispatchers();
});

const newToken = async (body: Record<string, unknown> = {}) => {
  const res = await call(cp.target, 'POST', '/api/enrollment-tokens', { token: admin, body });
  assert.equal(res.status, 201, res.text);
  return res.json as { id: string; token: string; command: string; fingerprint: string; expiresAt: string };
};

test('an enrollment token is shown once with the command to run on the host, and the root fingerprint to check', async () => {
  const t = await newToken({ agentName: 'edge-1' });
  assert.match(t.token, /^phxenr_[A-Za-z0-9_-]{43}$/);
  const fp = createHash('sha256').update(new X509Certificate(cp.rootPem).raw).digest('hex');
  assert.equal(t.fingerprint, fp);
  assert.match(t.command, new RegExp(`^phoenix agent enroll --hub https://[^ ]+ --fingerprint ${fp} --token ${t.token} --name edge-1$`));
  const root = await call(cp.target, 'GET', '/api/enroll/root');
  assert.equal(root.json.fingerprint, fp);
  assert.equal(root.json.rootPem, cp.rootPem);
  const listed = await call(cp.target, 'GET', '/api/enrollment-tokens', { token: admin });
  const entry = listed.json.find((x: { id: string }) => x.id === t.id);
  assert.equal(entry.state, 'unused');
  assert.equal(entry.token, undefined, 'secrets are never listed');
});

test('an enrollment token works once: a second use, a racing use, another name and an expired token are refused', async () => {
  const t = await newToken({ agentName: 'edge-2' });
  const first = await call(cp.target, 'POST', '/api/enroll', { body: { token: t.token, name: 'edge-2' } });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.identity, `spiffe://${TD}/agent/edge-2`);
  const again = await call(cp.target, 'POST', '/api/enroll', { body: { token: t.token, name: 'edge-2' } });
  assert.equal(again.status, 401);
  assert.equal(again.json.code, 'HUB_ENROLLMENT_REFUSED');
  assert.match(again.json.detail, /already used/);
  const listed = (await call(cp.target, 'GET', '/api/enrollment-tokens', { token: admin })).json.find((x: { id: string }) => x.id === t.id);
  assert.equal(listed.state, 'used');
  assert.equal(listed.usedBy, 'edge-2');
  assert.equal(listed.usedFrom, '127.0.0.1');

  const race = await newToken();
  const results = await Promise.all(['r-1', 'r-2', 'r-3', 'r-4'].map((name) => call(cp.target, 'POST', '/api/enroll', { body: { token: race.token, name } })));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 401, 401, 401], 'exactly one racing claim wins');

  const bound = await newToken({ agentName: 'edge-3' });
  const other = await call(cp.target, 'POST', '/api/enroll', { body: { token: bound.token, name: 'intruder' } });
  assert.equal(other.status, 401);
  assert.match(other.json.detail, /for agent "edge-3"/);
  const short = await newToken({ ttl: '1s' });
  await new Promise((r) => setTimeout(r, 1100));
  const expired = await call(cp.target, 'POST', '/api/enroll', { body: { token: short.token, name: 'late' } });
  assert.equal(expired.status, 401);
  assert.match(expired.json.detail, /expired/);
  const unknown = await call(cp.target, 'POST', '/api/enroll', { body: { token: `phxenr_${'A'.repeat(43)}`, name: 'nobody' } });
  assert.equal(unknown.status, 401);
  const audit = (await call(cp.target, 'GET', '/api/audit?action=agent.enroll', { token: admin })).json;
  assert.ok(audit.some((e: { outcome: string; target: string }) => e.outcome === 'ok' && e.target === 'edge-2'));
  assert.ok(audit.some((e: { outcome: string }) => e.outcome === 'refused'));
});

let edge: TlsIdentity;

test('a host enrolls: the CA issues its agent certificate for the hub’s one-time token, and the hub shows its version, heartbeat and host facts', async () => {
  const t = await newToken({ agentName: 'edge-1' });
  const grant = (await call(cp.target, 'POST', '/api/enroll', { body: { token: t.token, name: 'edge-1' } })).json;
  assert.equal(grant.caUrl, cp.caUrl);
  edge = await TlsIdentity.obtain(
    { trustDomain: grant.trustDomain, role: 'agent', name: 'edge-1' },
    remoteIssuer({ url: grant.caUrl, rootPem: cp.rootPem }, async () => grant.caToken),
    { logger: silentLogger() },
  );
  assert.equal(edge.id.uri, `spiffe://${TD}/agent/edge-1`);
  // The hub signed that CA token with the CA's `enroll` provisioner (agent identities only): the CA's inventory says so.
  const issued = (await listCertificates(join(cp.dir, 'ca'))).find((c) => c.serial.toUpperCase().replace(/^0+/, '') === edge.current.serialNumber.toUpperCase().replace(/^0+/, ''));
  assert.equal(issued?.provisioner, 'enroll', JSON.stringify(issued));
  assert.equal(issued.subject, `spiffe://${TD}/agent/edge-1`);
  // The CA token was single-use: a second certificate with it is refused.
  await assert.rejects(TlsIdentity.obtain({ trustDomain: TD, role: 'agent', name: 'edge-1' }, remoteIssuer({ url: grant.caUrl, rootPem: cp.rootPem }, async () => grant.caToken), { logger: silentLogger() }));

  const config = validateConfig(
    agentConfigSchema,
    { name: 'edge-1', trustDomain: TD, dataDir: `${cp.dir}/agents/edge-1`, log: { level: 'silent' }, hubUrl: cp.url, ca: { url: cp.caUrl, rootFile: cp.rootFile }, syncInterval: '200ms', runtime: { phoenixBin: '/bin/false' } },
    'agent',
  );
  cp.agents.set('edge-1', await startAgent(config, { identity: edge, logger: silentLogger() }));
  const agent = await eventually(async () => {
    const list = await call(cp.target, 'GET', '/api/agents', { token: admin });
    const a = list.json.find((x: { name: string }) => x.name === 'edge-1');
    assert.ok(a?.healthy, JSON.stringify(a));
    assert.equal(a.certificate.serial, edge.current.serialNumber.toUpperCase());
    return a;
  });
  assert.equal(agent.version, '0.1.0');
  assert.equal(agent.versionMatches, true);
  assert.ok(agent.host.cpus >= 1 && agent.host.memoryBytes > 0 && agent.host.memoryFreeBytes > 0);
  assert.ok(agent.host.disk.totalBytes > agent.host.disk.freeBytes && agent.host.disk.freeBytes > 0, JSON.stringify(agent.host.disk));
  assert.equal(agent.host.loadAverage.length, 3);
  assert.match(agent.host.nodeVersion, /^v20\./);
  assert.ok(Math.abs(Date.parse(agent.lastHeartbeatAt) - Date.now()) < 5000);
});

test('revoking an agent’s certificate disconnects it at once, and the console says why it is unreachable', async () => {
  const serial = edge.current.serialNumber;
  const probe = () => call(cp.target, 'GET', '/api/agents', { token: admin }).then((r) => r.json.find((x: { name: string }) => x.name === 'edge-1'));
  // The running agent (syncing every 200 ms, with its command long-poll open) is heard from.
  const first = (await probe()).lastHeartbeatAt as string;
  await eventually(async () => assert.notEqual((await probe()).lastHeartbeatAt, first, 'the running agent’s heartbeats arrive'), 5000);
  // The identity's own connection to the hub is open (keep-alive) before the revocation.
  assert.equal((await call(cp.target, 'POST', '/api/agent/commands', { identity: edge, body: { waitMs: 0 } })).status, 200);
  const revoked = await call(cp.target, 'POST', '/api/certificates/revoke', { token: admin, body: { serial, reason: 'keyCompromise' } });
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal(revoked.json.serial, serial.toUpperCase().replace(/^0+/, ''));
  assert.equal(revoked.json.identity, `spiffe://${TD}/agent/edge-1`);
  // This test's connection and the running agent's are both cut at once.
  assert.ok(revoked.json.disconnected >= 2, `open connections cut: ${revoked.json.disconnected}`);
  const revokedAt = Date.now();
  // Whatever it tries now is refused: new connections are dropped after the handshake.
  const attempt = await call(cp.target, 'POST', '/api/agent/commands', { identity: edge, body: { waitMs: 0 } }).then(
    (r) => r.status,
    (err: Error) => err.message,
  );
  assert.notEqual(attempt, 200, 'a revoked certificate gets nothing from the hub');
  const view = await eventually(async () => {
    const a = await probe();
    assert.equal(a.healthy, false);
    return a;
  }, 5000);
  assert.match(view.detail, /unreachable: its certificate \(serial [0-9A-F]+\) was revoked/);
  // The agent keeps trying (every 200 ms) and is refused every time: no heartbeat gets through any more.
  const last = Date.parse(view.lastHeartbeatAt);
  assert.ok(last <= revokedAt, `last heartbeat ${view.lastHeartbeatAt} is from before the revocation`);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(Date.parse((await probe()).lastHeartbeatAt), last, 'no heartbeat accepted after the revocation');
  // The CA revoked it too: it is in the CA's CRL, and the inventory marks it.
  const dispatcher = new Agent({ connect: { ca: cp.rootPem } });
  try {
    const crl = await request(`${cp.caUrl}/1.0/crl?pem=true`, { dispatcher });
    const parsed = new x509.X509Crl(await crl.body.text());
    assert.ok(parsed.entries.some((e) => e.serialNumber.toUpperCase().replace(/^0+/, '') === revoked.json.serial));
  } finally {
    await dispatcher.close();
  }
  const certs = await call(cp.target, 'GET', '/api/certificates', { token: admin });
  const entry = certs.json.certificates.find((c: { serial: string }) => c.serial === revoked.json.serial);
  assert.equal(entry?.status, 'revoked');
  assert.equal(entry?.revocationReason, 'keyCompromise');
  const audit = (await call(cp.target, 'GET', '/api/audit?action=certificate.revoke', { token: admin })).json[0];
  assert.equal(audit.outcome, 'ok');
  assert.equal(audit.actor, 'admin');
  await cp.stopAgent('edge-1');
});

test('revoking needs an admin, and an unknown serial is the CA’s 404', async () => {
  const otto = await call(cp.target, 'POST', '/api/users', { token: admin, body: { username: 'otto', password: 'otto-password-1', role: 'operator' } });
  assert.equal(otto.status, 201);
  const ottoToken = (await call(cp.target, 'POST', '/api/auth/login', { body: { username: 'otto', password: 'otto-password-1' } })).json.token;
  assert.equal((await call(cp.target, 'POST', '/api/certificates/revoke', { token: ottoToken, body: { serial: 'ABCD' } })).status, 403);
  const unknown = await call(cp.target, 'POST', '/api/certificates/revoke', { token: admin, body: { serial: 'ABCDEF0123' } });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(unknown.json.code, 'HUB_CA_REFUSED');
});

test('an agent of another version is refused and shown as unreachable with the version mismatch', async () => {
  await cp.startAgent('old-1');
  await eventually(async () => {
    const a = (await call(cp.target, 'GET', '/api/agents', { token: admin })).json.find((x: { name: string }) => x.name === 'old-1');
    assert.equal(a?.healthy, true);
  });
  await cp.stopAgent('old-1');
  await cp.startAgent('old-1', {}, '9.9.0');
  const a = await eventually(async () => {
    const found = (await call(cp.target, 'GET', '/api/agents', { token: admin })).json.find((x: { name: string }) => x.name === 'old-1');
    assert.equal(found.healthy, false);
    return found;
  }, 5000);
  assert.match(a.detail, /unreachable: version mismatch: agent 9\.9\.0, hub 0\.1\.0/);
  await cp.stopAgent('old-1');
});
