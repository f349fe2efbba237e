import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { x509 } from '../../../src/core/tls/x509.js';
import { PHOENIX_BIN } from '../../helpers/platform.js';
import { call, closeDispatchers, login } from './support.js';
import { ADMIN, startControlPlane, type ControlPlane } from './control-plane.js';

const run = promisify(execFile);

/**
 * Issue 7's certificate inventory "from the CA": the hub reads the CA's issued-certificate
 * inventory (`GET /1.0/certificates`, with an admin one-time token), so its Certificates page and
 * API list certificates the hub never saw presented — here one made with `phoenix ca sign` —
 * with their provisioner and expiry, and the revoke action works on them.
 */
let cp: ControlPlane;
let admin: string;
before(async () => {
  cp = await startControlPlane();
  admin = await login(cp.target, ADMIN);
});
after(async () => {
  await cp.close();
  await closeDispatchers();
});

interface View {
  serial: string;
  identity: string;
  sans: string[];
  provisioner: string | null;
  source: string;
  status: string;
  notAfter: string;
  lastSeenAt: string | null;
  revocationReason: string | null;
}

test('the hub lists a certificate issued with `phoenix ca sign` (never presented to the hub) from the CA’s inventory, and revokes it', async () => {
  const dir = cp.dir;
  const key = join(dir, 'ops.key');
  const csr = join(dir, 'ops.csr');
  const crt = join(dir, 'ops.crt');
  await run('openssl', ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csr, '-subj', '/CN=ops.example.test', '-addext', 'subjectAltName=DNS:ops.example.test']);
  const env = { ...process.env, PHOENIX_HOME: dir };
  const token = (await run(process.execPath, [PHOENIX_BIN, 'ca', 'token', 'ops.example.test', '--ca-url', cp.caUrl, '--dir', join(dir, 'ca')], { env })).stdout.trim();
  await run(process.execPath, [PHOENIX_BIN, 'ca', 'sign', csr, crt, '--token', token, '--ca-url', cp.caUrl, '--root', cp.rootFile], { env });
  const cert = new X509Certificate(readFileSync(crt));
  const serial = cert.serialNumber.toUpperCase().replace(/^0+/, '');

  // A viewer may read the inventory: it comes from the CA, with the provisioner and expiry.
  const created = await call(cp.target, 'POST', '/api/users', { token: admin, body: { username: 'vera', password: 'vera-password-1', role: 'viewer' } });
  assert.equal(created.status, 201, created.text);
  const viewer = (await call(cp.target, 'POST', '/api/auth/login', { body: { username: 'vera', password: 'vera-password-1' } })).json.token as string;
  const list = await call(cp.target, 'GET', '/api/certificates', { token: viewer });
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.source, 'ca', JSON.stringify(list.json.caError));
  assert.equal(list.json.caError, null);
  const ops = (list.json.certificates as View[]).find((c) => c.serial === serial);
  assert.ok(ops, `the CA's inventory lists ${serial}`);
  assert.equal(ops.identity, 'ops.example.test');
  assert.deepEqual(ops.sans, ['ops.example.test']);
  assert.equal(ops.provisioner, 'phoenix');
  assert.equal(ops.source, 'ca');
  assert.equal(ops.status, 'valid');
  assert.equal(Date.parse(ops.notAfter), Date.parse(cert.validTo));
  assert.equal(ops.lastSeenAt, null, 'the hub never saw it presented');
  // The CA's inventory also holds the platform's own certificates, with the hub's among them.
  const hub = (list.json.certificates as View[]).find((c) => c.identity.endsWith('/hub/hub1'));
  assert.equal(hub?.provisioner, 'phoenix', JSON.stringify(list.json.certificates.map((c: View) => c.identity)));

  // The revoke action works on it: the CA revokes it, and the inventory says so.
  assert.equal((await call(cp.target, 'POST', '/api/certificates/revoke', { token: viewer, body: { serial, reason: 'superseded' } })).status, 403);
  const revoked = await call(cp.target, 'POST', '/api/certificates/revoke', { token: admin, body: { serial, reason: 'superseded' } });
  assert.equal(revoked.status, 200, revoked.text);
  const after_ = (await call(cp.target, 'GET', '/api/certificates', { token: admin })).json.certificates as View[];
  const entry = after_.find((c) => c.serial === serial);
  assert.equal(entry?.status, 'revoked');
  assert.equal(entry?.revocationReason, 'superseded');
  const crl = (await run(process.execPath, [PHOENIX_BIN, 'ca', 'crl', '--ca-url', cp.caUrl, '--root', cp.rootFile], { env })).stdout;
  assert.ok(new x509.X509Crl(crl).entries.some((e) => e.serialNumber.toUpperCase().replace(/^0+/, '') === serial), 'the CA lists it in its CRL');
});
