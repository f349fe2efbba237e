import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_TRUST_DOMAIN } from '../core/config.js';
import { ConfigError } from '../core/errors.js';
import {
  auditLog,
  bootstrapRoot,
  caFingerprint,
  caInit,
  caLayout,
  caToken,
  endpointOf,
  fetchCrl,
  listCertificates,
  renewWithCertificate,
  revokeSerial,
  signWithToken,
  takeRootOffline,
} from '../pki/index.js';
import { readEnv } from './env.js';
import { homeLayout } from './paths.js';

/** `phoenix ca …`: operator commands for the certificate authority in $PHOENIX_HOME/ca. */
export function registerCaCommands(program: Command): void {
  const ca = program.command('ca').description('certificate authority: init, bootstrap, root, fingerprint, token, sign, renew, revoke, list, crl, audit, offline-root');
  const caDir = (opts: { dir?: string }) => opts.dir ?? homeLayout(readEnv().home).caDir;
  const rootFile = (opts: { root?: string; dir?: string }) => opts.root ?? caLayout(caDir(opts)).rootCert;
  const endpoint = (opts: { caUrl: string; root?: string; dir?: string }) => endpointOf(opts.caUrl, rootFile(opts));
  const DEFAULT_CA_URL = 'https://localhost:9000';

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
    .option('--provisioner <name>', 'phoenix, or enroll for a host enrollment token (agents joining: spiffe://<domain>/agent/<host>)', 'phoenix')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action(async (subject: string, opts: { san?: string[]; caUrl: string; ttl: string; provisioner: string; dir?: string }) => {
      console.log(await caToken({ dataDir: caDir(opts), provisioner: opts.provisioner, subject, ...(opts.san ? { sans: opts.san } : {}), caUrl: opts.caUrl, ttlSeconds: Number(opts.ttl) }));
    });

  ca.command('bootstrap')
    .description("fetch the root from a CA and trust it only if its SHA-256 fingerprint matches; saves it (default $PHOENIX_HOME/ca/root_ca.crt)")
    .requiredOption('--ca-url <url>', 'the CA, e.g. https://ca.example:9000')
    .requiredOption('--fingerprint <sha256>', 'the root fingerprint (`phoenix ca fingerprint` on the CA host)')
    .option('--out <file>', 'where to save the root')
    .option('--dir <dir>', 'CA data directory whose root_ca.crt to write (default $PHOENIX_HOME/ca)')
    .action(async (opts: { caUrl: string; fingerprint: string; out?: string; dir?: string }) => {
      const pem = await bootstrapRoot(opts.caUrl, opts.fingerprint);
      const out = opts.out ?? caLayout(caDir(opts)).rootCert;
      if (existsSync(out) && readFileSync(out, 'utf8') !== pem) throw new ConfigError(`${out} holds another root; remove it first or give --out`);
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, pem, { mode: 0o644 });
      console.log(`The root certificate has been saved in ${out}.`);
    });

  ca.command('sign')
    .description('get a certificate for a CSR with a one-time token (POST /1.0/sign)')
    .argument('<csr-file>', 'PEM certificate request')
    .argument('<crt-file>', 'where to write the certificate chain')
    .requiredOption('--token <ott>', 'a one-time token (`phoenix ca token`)')
    .option('--ca-url <url>', 'the CA', DEFAULT_CA_URL)
    .option('--root <file>', 'root certificate to trust (default $PHOENIX_HOME/ca/root_ca.crt)')
    .action(async (csrFile: string, crtFile: string, opts: { token: string; caUrl: string; root?: string }) => {
      const signed = await signWithToken(endpoint(opts), readFileSync(csrFile, 'utf8'), opts.token);
      writeFileSync(crtFile, signed.certChain.join(''));
      console.log(`Your certificate has been saved in ${crtFile}.`);
    });

  ca.command('renew')
    .description('renew a certificate over mTLS with itself (same key, fresh lifetime); rewrites the file')
    .argument('<crt-file>', 'current certificate chain (PEM)')
    .argument('<key-file>', 'its private key (PEM)')
    .option('--ca-url <url>', 'the CA', DEFAULT_CA_URL)
    .option('--root <file>', 'root certificate to trust (default $PHOENIX_HOME/ca/root_ca.crt)')
    .action(async (crtFile: string, keyFile: string, opts: { caUrl: string; root?: string }) => {
      const signed = await renewWithCertificate(endpoint(opts), readFileSync(crtFile, 'utf8'), readFileSync(keyFile, 'utf8'));
      writeFileSync(crtFile, signed.certChain.join(''));
      console.log(`Your certificate has been renewed and saved in ${crtFile}.`);
    });

  ca.command('revoke')
    .description('revoke a certificate by serial: as admin (provisioner key of the CA data directory) or with --cert/--key (the holder)')
    .argument('<serial>', 'serial number, hex (as `phoenix ca list` shows it)')
    .option('--reason-code <n>', 'RFC 5280 reason code (1 keyCompromise, 4 superseded, 5 cessationOfOperation, …)', '0')
    .option('--cert <file>', 'revoke as the holder: the certificate itself (mTLS)')
    .option('--key <file>', 'its private key')
    .option('--ca-url <url>', 'the CA', DEFAULT_CA_URL)
    .option('--root <file>', 'root certificate to trust')
    .option('--dir <dir>', 'CA data directory with the provisioner key (default $PHOENIX_HOME/ca)')
    .action(async (serial: string, opts: { reasonCode: string; cert?: string; key?: string; caUrl: string; root?: string; dir?: string }) => {
      const auth = opts.cert && opts.key ? { certPem: readFileSync(opts.cert, 'utf8'), keyPem: readFileSync(opts.key, 'utf8') } : { provisionerKeyFile: caLayout(caDir(opts)).provisionerKeyFile };
      await revokeSerial(endpoint(opts), serial, Number(opts.reasonCode), auth);
      console.log(`Certificate with serial number ${serial} has been revoked.`);
    });

  ca.command('list')
    .description('the issued-certificate inventory (valid ones; --all for expired too)')
    .option('--all', 'include expired certificates')
    .option('--json', 'print JSON')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action(async (opts: { all?: boolean; json?: boolean; dir?: string }) => {
      const rows = await listCertificates(caDir(opts), { all: opts.all ?? false });
      if (opts.json) {
        console.log(JSON.stringify(rows, null, 2));
        return;
      }
      console.log(['SERIAL', 'STATUS', 'NOT AFTER', 'PROVISIONER', 'SUBJECT / NAMES'].join('\t'));
      for (const r of rows) console.log([r.serial, r.status, r.notAfter.toISOString(), r.provisioner, `${r.subject} [${r.sans.join(', ')}]`].join('\t'));
    });

  ca.command('crl')
    .description('print the current CRL (PEM); `openssl crl -noout -text` reads it')
    .option('--ca-url <url>', 'the CA', DEFAULT_CA_URL)
    .option('--root <file>', 'root certificate to trust')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action(async (opts: { caUrl: string; root?: string; dir?: string }) => {
      process.stdout.write(await fetchCrl(endpoint(opts)));
    });

  ca.command('audit')
    .description('the newest entries of the audit log: who asked, which provisioner, which names, the outcome')
    .option('--limit <n>', 'how many', '50')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .action(async (opts: { limit: string; dir?: string }) => {
      for (const e of await auditLog(caDir(opts), Number(opts.limit))) {
        console.log([e.at.toISOString(), e.action, e.outcome, e.provisioner ?? '-', e.actor ?? '-', e.serial ?? '-', (e.sans ?? []).join(',') || '-', e.detail ?? ''].join('\t'));
      }
    });

  ca.command('offline-root')
    .description('move the encrypted root key off this host (it is only needed to sign a new intermediate)')
    .requiredOption('--out <file>', 'where to put the encrypted root key (then move it to offline storage)')
    .option('--dir <dir>', 'CA data directory (default $PHOENIX_HOME/ca)')
    .option('--password-file <file>', 'the CA password file, if not the generated one')
    .action((opts: { out: string; dir?: string; passwordFile?: string }) => {
      takeRootOffline(caDir(opts), opts.out, opts.passwordFile);
      console.log(`The root key is now only in ${opts.out} (encrypted); store it offline. The CA keeps running with its intermediate.`);
    });
}
