import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_TRUST_DOMAIN } from '../core/config.js';
import { caFingerprint, caInit, caLayout, caToken } from '../pki/index.js';
import { readEnv } from './env.js';
import { homeLayout } from './paths.js';

/** `phoenix ca …`: operator commands for the certificate authority in $PHOENIX_HOME/ca. */
export function registerCaCommands(program: Command): void {
  const ca = program.command('ca').description('certificate authority: init, root, fingerprint, token');
  const caDir = (opts: { dir?: string }) => opts.dir ?? homeLayout(readEnv().home).caDir;

  ca.command('init')
    .description('create the root, intermediate and provisioner (no-op when they exist)')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .option('--trust-domain <domain>', 'trust domain of the identities', readEnv().trustDomain ?? DEFAULT_TRUST_DOMAIN)
    .option('--password-file <file>', 'file with the password that encrypts the CA keys (default: generated)')
    .action(async (opts: { dir?: string; trustDomain: string; passwordFile?: string }) => {
      const result = await caInit({ dataDir: caDir(opts), trustDomain: opts.trustDomain, ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}) });
      console.log(result.created ? 'CA created.' : 'CA already initialised; nothing changed.');
      console.log(`root certificate: ${result.rootCertFile}`);
      console.log(`root fingerprint: ${result.rootFingerprint}`);
      console.log(`provisioner key:  ${result.provisionerKeyFile} (secret)`);
    });

  ca.command('root')
    .description('print the root certificate (PEM)')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action((opts: { dir?: string }) => {
      process.stdout.write(readFileSync(caLayout(caDir(opts)).rootCert, 'utf8'));
    });

  ca.command('fingerprint')
    .description("print the root certificate's SHA-256 fingerprint")
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action((opts: { dir?: string }) => {
      console.log(caFingerprint(caDir(opts)));
    });

  ca.command('token')
    .description('mint a one-time token (5 min, single use) for a certificate with these names')
    .argument('<subject>', 'e.g. spiffe://phoenix.internal/router/r2')
    .option('--san <name...>', 'a SAN the certificate may carry (repeatable; default: the subject)')
    .option('--ca-url <url>', 'the CA as the holder will reach it', 'https://localhost:9000')
    .option('--ttl <seconds>', 'token validity in seconds', '300')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action(async (subject: string, opts: { san?: string[]; caUrl: string; ttl: string; dir?: string }) => {
      console.log(await caToken({ dataDir: caDir(opts), subject, ...(opts.san ? { sans: opts.san } : {}), caUrl: opts.caUrl, ttlSeconds: Number(opts.ttl) }));
    });
}
