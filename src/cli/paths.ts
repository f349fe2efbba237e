import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The `phoenix` launcher script, for starting roles and replicas as child processes. */
export const PHOENIX_BIN = fileURLToPath(new URL('../../../bin/phoenix.js', import.meta.url));

/** Where things live under $PHOENIX_HOME. */
export function homeLayout(home: string) {
  return {
    home,
    run: join(home, 'run'),
    logs: join(home, 'logs'),
    state: join(home, 'run', 'state.json'),
    apiKey: join(home, 'api-key'),
    adminPassword: join(home, 'admin-password'),
    caDir: join(home, 'ca'),
    rootCert: join(home, 'ca', 'root_ca.crt'),
    provisionerKey: join(home, 'ca', 'secrets', 'provisioner.json'),
    roleDir: (role: string) => join(home, role),
    roleConfig: (role: string) => join(home, 'run', `${role}.json`),
    roleLog: (role: string) => join(home, 'logs', `${role}.log`),
  };
}
export type HomeLayout = ReturnType<typeof homeLayout>;
