import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { readEnv } from './env.js';
import { fingerprintOf, hubCall, HubCallError, localHub, readLogin, saveLogin } from './hub-session.js';
import { PHOENIX_BIN } from './paths.js';
import { runRole } from './run-role.js';

interface Rollout {
  id: number;
  state: string;
  kind: string;
  detail: string;
  toVersion: number;
  pending: string[];
  current: string[];
}
interface Deployed {
  name: string;
  version: number;
  created: boolean;
  note: string | null;
  rollout: Rollout | null;
}

const print = (line = '') => console.log(line);

/** Renders a refusal; stack problems one per line as FILE:LINE:COL, like a compiler. */
function fail(err: unknown, file?: string): never {
  if (err instanceof HubCallError) {
    if (err.problem.errors?.length) {
      for (const i of err.problem.errors) console.error(`${file ?? 'stack'}:${i.line ?? '?'}:${i.column ?? '?'}: ${i.path ? `${i.path}: ` : ''}${i.message}`);
    } else {
      console.error(`error: ${err.status} ${err.problem.code ?? ''} ${err.message}`.replace(/\s+/g, ' ').trim());
    }
  } else {
    console.error(`error: ${(err as Error).message}`);
  }
  process.exit(1);
}

async function followRollout(name: string, r: Rollout | null, wait: boolean): Promise<void> {
  if (!r) return print('No instance had to be replaced.');
  print(`Rolling update #${r.id} to version ${r.toVersion} started: ${r.pending.length + r.current.length} instance(s) to replace.`);
  if (!wait) return print(`Follow it with: phoenix stack history ${name}`);
  const login = readLogin(readEnv());
  for (;;) {
    await new Promise((res) => setTimeout(res, 1000));
    const list = await hubCall<Rollout[]>(login, 'GET', `/api/stacks/${name}/rollouts`);
    const now = list.find((x) => x.id === r.id);
    if (!now || now.state === 'running') continue;
    print(`Rolling update #${r.id} ${now.state.replace('_', ' ')}: ${now.detail}`);
    if (now.state !== 'succeeded') process.exitCode = 1;
    return;
  }
}

/** `phoenix login`, `phoenix stack deploy|ls|history|rollback`, `phoenix scale`, `phoenix agent enroll`. */
export function registerHubCommands(program: Command): void {
  program
    .command('login')
    .description('log in to a hub; the session is kept in $PHOENIX_HOME/cli/hub-login.json (0600)')
    .option('--hub <url>', 'the hub (default: the one `phoenix up` runs in $PHOENIX_HOME)')
    .option('--ca-file <file>', 'root certificate to trust (default: $PHOENIX_HOME/ca/root_ca.crt)')
    .option('--user <name>', 'user name', 'admin')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (opts: { hub?: string; caFile?: string; user: string; passwordStdin?: boolean }) => {
      const env = readEnv();
      const local = localHub(env);
      const hub = opts.hub ?? local?.hub;
      if (!hub) fail(new Error('no hub given and none runs in $PHOENIX_HOME; use --hub https://HOST:9443 --ca-file ROOT.crt'));
      const rootPem = opts.caFile ? readFileSync(opts.caFile, 'utf8') : local?.rootPem;
      if (!rootPem) fail(new Error('no root certificate to trust the hub with; use --ca-file'));
      const password = opts.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : (opts.user === 'admin' ? env.adminPassword : undefined);
      if (!password) fail(new Error('give the password on standard input with --password-stdin (or PHOENIX_ADMIN_PASSWORD for admin)'));
      try {
        const r = await hubCall<{ token: string; expiresAt: string; user: { username: string; role: string } }>({ hub, rootPem }, 'POST', '/api/auth/login', { username: opts.user, password });
        const file = saveLogin(env, { hub, rootPem, token: r.token, username: r.user.username, role: r.user.role, expiresAt: r.expiresAt });
        print(`Logged in to ${hub} as ${r.user.username} (${r.user.role}) until ${r.expiresAt}; session in ${file}`);
      } catch (err) {
        fail(err);
      }
    });

  const stack = program.command('stack').description('stacks on the hub: deploy, list, history, rollback');
  stack
    .command('deploy')
    .description('store a stack file as a new version and deploy it (changed instances are replaced one batch at a time)')
    .argument('<file>', 'stack YAML')
    .option('--wait', 'wait until the rolling update ends; exit 1 if it fails or rolls back')
    .action(async (file: string, opts: { wait?: boolean }) => {
      const text = readFileSync(file, 'utf8');
      let name: unknown;
      try {
        name = (parseYaml(text) as { name?: unknown } | null)?.name;
      } catch {
        name = undefined;
      }
      if (typeof name !== 'string') {
        // Let the hub say exactly what is wrong, with lines.
        name = 'unnamed';
      }
      try {
        const r = await hubCall<Deployed>(readLogin(readEnv()), 'PUT', `/api/stacks/${encodeURIComponent(name as string)}`, text, true);
        print(r.created ? `Stack ${r.name}: version ${r.version} stored and deployed.` : `Stack ${r.name}: unchanged (version ${r.version}).`);
        await followRollout(r.name, r.rollout, opts.wait === true);
      } catch (err) {
        fail(err, file);
      }
    });
  stack
    .command('ls')
    .description('list the stacks')
    .action(async () => {
      try {
        const list = await hubCall<Array<{ name: string; version: number; services: Array<{ name: string; runtime: string; replicas: number }>; rollout: Rollout | null }>>(readLogin(readEnv()), 'GET', '/api/stacks');
        print(`${'STACK'.padEnd(24)} ${'VERSION'.padEnd(8)} ${'SERVICES'.padEnd(40)} ROLLING UPDATE`);
        for (const s of list) {
          const services = s.services.map((x) => `${x.name}=${x.replicas} (${x.runtime})`).join(', ');
          print(`${s.name.padEnd(24)} ${String(s.version).padEnd(8)} ${services.padEnd(40)} ${s.rollout ? `${s.rollout.state} → v${s.rollout.toVersion}` : '-'}`);
        }
      } catch (err) {
        fail(err);
      }
    });
  stack
    .command('history')
    .description('the versions of a stack (who, when, why) and its recent rolling updates')
    .argument('<name>', 'stack name')
    .action(async (name: string) => {
      try {
        const login = readLogin(readEnv());
        const versions = await hubCall<Array<{ version: number; createdAt: string; author: string | null; note: string | null }>>(login, 'GET', `/api/stacks/${encodeURIComponent(name)}/versions`);
        print(`${'VERSION'.padEnd(8)} ${'CREATED'.padEnd(25)} ${'BY'.padEnd(28)} WHY`);
        for (const v of versions) print(`${String(v.version).padEnd(8)} ${v.createdAt.padEnd(25)} ${(v.author ?? '-').padEnd(28)} ${v.note ?? '-'}`);
        const rollouts = await hubCall<Array<Rollout & { fromVersion: number | null }>>(login, 'GET', `/api/stacks/${encodeURIComponent(name)}/rollouts`);
        if (rollouts.length > 0) print();
        for (const r of rollouts.slice(0, 10)) print(`rolling update #${r.id} ${r.kind} v${r.fromVersion ?? '-'} → v${r.toVersion}: ${r.state} — ${r.detail}`);
      } catch (err) {
        fail(err);
      }
    });
  stack
    .command('rollback')
    .description('roll a stack back to an earlier version (default: the one before the latest)')
    .argument('<name>', 'stack name')
    .option('--to <version>', 'the version to go back to')
    .option('--wait', 'wait until the rolling update ends')
    .action(async (name: string, opts: { to?: string; wait?: boolean }) => {
      try {
        const login = readLogin(readEnv());
        const version = opts.to ? Number(opts.to) : (await hubCall<{ version: number }>(login, 'GET', `/api/stacks/${encodeURIComponent(name)}`)).version - 1;
        const r = await hubCall<Deployed>(login, 'POST', `/api/stacks/${encodeURIComponent(name)}/rollback`, { version });
        print(`Stack ${r.name}: rolled back to version ${version}, stored as version ${r.version}.`);
        await followRollout(r.name, r.rollout, opts.wait === true);
      } catch (err) {
        fail(err);
      }
    });

  program
    .command('scale')
    .description('set the replicas of a service: phoenix scale qdrant_service/qdrant=1')
    .argument('<target>', 'STACK/SERVICE=N')
    .option('--wait', 'wait until the rolling update ends')
    .action(async (target: string, opts: { wait?: boolean }) => {
      const m = /^([a-z0-9_]+)\/([a-z0-9_-]+)=(\d+)$/.exec(target);
      if (!m) fail(new Error(`"${target}" is not STACK/SERVICE=N, e.g. qdrant_service/qdrant=1`));
      const [, name, service, replicas] = m as unknown as [string, string, string, string];
      try {
        const r = await hubCall<Deployed>(readLogin(readEnv()), 'POST', `/api/stacks/${name}/scale`, { service, replicas: Number(replicas) });
        print(`Stack ${r.name}: ${service} scaled to ${replicas} (version ${r.version}).`);
        await followRollout(r.name, r.rollout, opts.wait === true);
      } catch (err) {
        fail(err);
      }
    });

  const agent = program.command('agent').description('host agents');
  agent
    .command('enroll')
    .description('join this host to a hub with a one-time enrollment token (from the console’s Environments page)')
    .requiredOption('--hub <url>', 'the hub, e.g. https://hub.example:9443')
    .requiredOption('--token <token>', 'the one-time enrollment token')
    .requiredOption('--fingerprint <sha256>', 'the platform root certificate’s SHA-256 fingerprint')
    .option('--name <name>', 'agent name', hostname().toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 64) || 'agent')
    .option('--dir <dir>', 'where the agent keeps its config and data', join(readEnv().home, 'agent'))
    .option('--advertise <ip>', 'the address its instances are reached at', '127.0.0.1')
    .option('--run', 'start the agent right away, in this process')
    .action(async (opts: { hub: string; token: string; fingerprint: string; name: string; dir: string; advertise: string; run?: boolean }) => {
      const dir = resolve(opts.dir);
      try {
        // Trust on first use, checked: the root the hub hands out must have the fingerprint we were given.
        const root = await hubCall<{ rootPem: string; fingerprint: string }>({ hub: opts.hub, rootPem: null }, 'GET', '/api/enroll/root');
        const actual = fingerprintOf(root.rootPem);
        if (actual !== opts.fingerprint.toLowerCase().replace(/:/g, '')) throw new Error(`the hub's root certificate has fingerprint ${actual}, not ${opts.fingerprint}: refusing to enroll`);
        // From here on the hub is verified against that root.
        const grant = await hubCall<{ name: string; identity: string; trustDomain: string; caUrl: string; caToken: string }>({ hub: opts.hub, rootPem: root.rootPem }, 'POST', '/api/enroll', { token: opts.token, name: opts.name });
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const rootFile = join(dir, 'root_ca.crt');
        writeFileSync(rootFile, root.rootPem);
        const configFile = join(dir, 'agent.json');
        const config = {
          name: grant.name,
          trustDomain: grant.trustDomain,
          dataDir: join(dir, 'data'),
          hubUrl: opts.hub,
          ca: { url: grant.caUrl, rootFile },
          advertiseAddress: opts.advertise,
          runtime: { phoenixBin: PHOENIX_BIN },
          // One-time CA token for the agent's identity; valid 5 minutes.
          identity: { ca: { url: grant.caUrl, rootFile, token: grant.caToken }, dnsNames: [], ipAddresses: [] },
        };
        writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
        print(`Enrolled as ${grant.identity}; config in ${configFile}.`);
        if (!opts.run) {
          print(`Start the agent within 5 minutes (its one-time CA token expires): phoenix run agent --config ${configFile}`);
          return;
        }
        print('Starting the agent…');
        await runRole('agent', configFile);
      } catch (err) {
        fail(err);
      }
    });
}
