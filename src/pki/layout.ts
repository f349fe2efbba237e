import { join } from 'node:path';

/**
 * Where the CA keeps its files, all under its data directory (`$PHOENIX_HOME/ca` on `phoenix up`):
 * public certificates at the top, encrypted keys beside them, plain secrets under `secrets/`.
 */
export interface CaLayout {
  dataDir: string;
  rootCert: string;
  rootKey: string;
  intermediateCert: string;
  intermediateKey: string;
  /** Settings recorded at init: trust domain and provisioners (public keys only). */
  caJson: string;
  secretsDir: string;
  /** Generated CA password, used when no `passwordFile` is configured. */
  passwordFile: string;
  /** The `phoenix` JWK provisioner's private key, in the format `loadProvisionerKey` reads. */
  provisionerKeyFile: string;
  /** The `enroll` provisioner's private key: host enrollment tokens for agents joining the platform. */
  enrollKeyFile: string;
  database: string;
}

export function caLayout(dataDir: string): CaLayout {
  const secretsDir = join(dataDir, 'secrets');
  return {
    dataDir,
    rootCert: join(dataDir, 'root_ca.crt'),
    rootKey: join(dataDir, 'root_ca.key'),
    intermediateCert: join(dataDir, 'intermediate_ca.crt'),
    intermediateKey: join(dataDir, 'intermediate_ca.key'),
    caJson: join(dataDir, 'ca.json'),
    secretsDir,
    passwordFile: join(secretsDir, 'password'),
    provisionerKeyFile: join(secretsDir, 'provisioner.json'),
    enrollKeyFile: join(secretsDir, 'enroll-provisioner.json'),
    database: join(dataDir, 'db', 'ca.sqlite'),
  };
}
