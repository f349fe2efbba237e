import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAcmeCa, runTool } from './support.js';

/**
 * Done-when 1 (certbot): `certbot certonly --standalone --server <directory>`, trusting only
 * Phoenix's root through REQUESTS_CA_BUNDLE, obtains a certificate for localhost over http-01.
 */
test("certbot certonly --standalone obtains a certificate from Phoenix's ACME directory", async () => {
  const acme = await startAcmeCa();
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-certbot-'));
  try {
    const result = await runTool(
      'certbot',
      [
        'certonly',
        '--standalone',
        '--server',
        acme.directory,
        '--non-interactive',
        '--agree-tos',
        '--register-unsafely-without-email',
        '--preferred-challenges',
        'http',
        '--http-01-port',
        String(acme.ports.http01),
        '-d',
        'localhost',
        '--config-dir',
        join(dir, 'config'),
        '--work-dir',
        join(dir, 'work'),
        '--logs-dir',
        join(dir, 'logs'),
      ],
      { REQUESTS_CA_BUNDLE: acme.rootFile },
      120_000,
    );
    assert.equal(result.code, 0, `certbot failed:\n${result.out}`);
    const live = join(dir, 'config', 'live', 'localhost');
    const leaf = new X509Certificate(readFileSync(join(live, 'cert.pem')));
    const chain = new X509Certificate(readFileSync(join(live, 'chain.pem')));
    assert.match(leaf.subjectAltName ?? '', /DNS:localhost/);
    assert.ok(leaf.checkIssued(chain) && leaf.verify(chain.publicKey), 'the chain holds the intermediate that signed the leaf');
    assert.ok(chain.checkIssued(new X509Certificate(acme.ca.handle.rootPem)), "the intermediate chains to Phoenix's root");
    const key = readFileSync(join(live, 'privkey.pem'), 'utf8');
    assert.match(key, /PRIVATE KEY/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await acme.ca.close();
  }
});
