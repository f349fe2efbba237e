import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CA_URL, call, closeDispatchers, login, startTestHub, tempDir } from '../hub/support.js';
import { agentConfigSchema } from '../../../src/agent/config.js';
import { startAgent } from '../../../src/agent/main.js';
import { validateConfig } from '../../../src/core/config.js';
import { silentLogger } from '../../../src/core/log.js';

const REPLICA_BIN = fileURLToPath(new URL('./fixtures/replica.js', import.meta.url));

test('the agent talks only to a server with a hub identity: an impostor gets no sync and starts nothing', async () => {
  // A "hub" holding a valid certificate from our CA, but for the gateway role.
  const t = await startTestHub({}, { role: 'gateway' });
  const dir = tempDir('agent-impostor');
  writeFileSync(join(dir, 'root.pem'), t.ca.rootPem);
  const agent = await startAgent(
    validateConfig(
      agentConfigSchema,
      {
        name: 'host-a',
        trustDomain: 'phoenix.test',
        dataDir: dir,
        log: { level: 'silent' },
        hubUrl: t.url,
        ca: { url: CA_URL, rootFile: join(dir, 'root.pem') },
        syncInterval: '100ms',
        runtime: { phoenixBin: REPLICA_BIN },
      },
      'agent',
    ),
    { identity: await t.ca.identity('agent', 'host-a'), logger: silentLogger() },
  );
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const token = await login(t);
    assert.deepEqual((await call(t, 'GET', '/api/agents', { token })).json, [], 'no sync may reach a server that is not the hub');
    assert.equal(existsSync(join(dir, 'instances')), false, 'no replica may be started');
  } finally {
    await agent.close();
    await t.cleanup();
    await closeDispatchers();
    rmSync(dir, { recursive: true, force: true });
  }
});
