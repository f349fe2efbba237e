/**
 * Certificates of seconds: every role renews several times while a client queries through the
 * whole chain for 60 seconds without a single failed request.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { removeHome, startPlatform, viaGateway, type Platform } from '../../helpers/platform.js';

const LIFETIME_S = 6;
const DURATION_MS = 60_000;

let p: Platform;

before(async () => {
  p = await startPlatform({ PHOENIX_CERT_LIFETIME: `${LIFETIME_S}s` });
});

after(async () => {
  await p?.stop();
  removeHome(p);
});

function renewals(logFile: string): number {
  return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"certificate renewed"')).length;
}

test(`with ${LIFETIME_S}-second certificates, 60 s of continuous queries see no failure while every role renews`, async (t) => {
  assert.equal((await viaGateway(p, 'PUT', '/collections/r', { vectors: { size: 3, distance: 'Euclid' } })).status, 200);
  const up = await viaGateway(p, 'PUT', '/collections/r/points?wait=true', { points: [1, 2, 3].map((id) => ({ id, vector: [id, id, id] })) });
  assert.equal(up.status, 200);

  // Short keep-alive so the run mixes reused connections with fresh handshakes on new certificates.
  const client = new Agent({ connect: { ca: p.rootPem }, keepAliveTimeout: 500, keepAliveMaxTimeout: 1000 });
  const failures: string[] = [];
  let ok = 0;
  const deadline = Date.now() + DURATION_MS;
  try {
    while (Date.now() < deadline) {
      try {
        const res = await request(`${p.gatewayUrl}/collections/r/points/query`, {
          method: 'POST',
          dispatcher: client,
          headers: { 'api-key': p.apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ query: [1, 1, 1], limit: 1 }),
        });
        const body = (await res.body.json()) as { result?: { points: Array<{ id: number }> } };
        if (res.statusCode === 200 && body.result?.points[0]?.id === 1) ok++;
        else failures.push(`${res.statusCode} ${JSON.stringify(body)}`);
      } catch (err) {
        failures.push((err as Error).message);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await client.close();
  }
  assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failed requests out of ${ok + failures.length}`);
  assert.ok(ok > 500, `only ${ok} queries completed`);

  const logs = join(p.home, 'logs');
  const counts: Record<string, number> = {};
  for (const role of ['ca', 'hub', 'agent', 'router', 'gateway']) counts[role] = renewals(join(logs, `${role}.log`));
  const agentLogs = join(p.home, 'agent', 'logs');
  const replicaLog = readdirSync(agentLogs).find((f) => f.endsWith('.log'));
  assert.ok(replicaLog, 'the replica has a log');
  counts['replica'] = renewals(join(agentLogs, replicaLog));
  t.diagnostic(`queries ok: ${ok}, failed: ${failures.length}; renewals per role: ${JSON.stringify(counts)}`);
  for (const [role, n] of Object.entries(counts)) assert.ok(n >= 5, `${role} renewed only ${n} times: ${JSON.stringify(counts)}`);
});
