/**
 * Test support (not used by the role): a real Authority over a freshly initialized CA in a temp
 * directory, with an in-memory store, for unit tests of signing and renewal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProvisionerKey, type ProvisionerKey } from '../../core/ca-client/token.js';
import { initCa } from '../init.js';
import { caLayout } from '../layout.js';
import { readCaSettings } from '../settings.js';
import { JwkProvisioner } from '../provisioners/jwk.js';
import { ProvisionerSet } from '../provisioners/provisioner-set.js';
import { CaStore } from '../store/index.js';
import { Authority } from './authority.js';
import { loadCaKeys } from './ca-keys.js';
import { readPasswordFile } from '../secret-files.js';
import type { LifetimePolicy } from '../config.js';

export const TEST_CA_URL = 'https://localhost:9000';

export interface TestAuthority {
  authority: Authority;
  store: CaStore;
  provisionerKey: ProvisionerKey;
  dir: string;
  close(): Promise<void>;
}

export async function createTestAuthority(lifetime: LifetimePolicy = { default: 3_600_000, min: 1000, max: 86_400_000 }): Promise<TestAuthority> {
  const dir = mkdtempSync(join(tmpdir(), 'phoenix-pki-'));
  const init = await initCa({ dataDir: dir, trustDomain: 'phoenix.test' });
  const layout = caLayout(dir);
  const keys = await loadCaKeys(layout, readPasswordFile(init.passwordFile));
  const store = CaStore.open(':memory:');
  const settings = readCaSettings(layout.caJson);
  const provisioners = new ProvisionerSet(
    settings.provisioners.map((r) => new JwkProvisioner(r, { audienceHosts: ['localhost', '127.0.0.1'], leewayMs: 30_000 })),
  );
  const authority = new Authority(keys, { provisioners, tokens: store.tokens, certificates: store.certificates, revocations: store.revocations, audit: store.audit, lifetime });
  return {
    authority,
    store,
    provisionerKey: loadProvisionerKey(init.provisionerKeyFile),
    dir,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
