import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { Agent, request } from 'undici';
import type { Logger } from 'pino';
import { SupervisedChild } from '../core/child.js';
import { DEFAULT_TRUST_DOMAIN } from '../core/config.js';
import { parseDuration, formatDuration } from '../core/duration.js';
import { errorMessage } from '../core/errors.js';
import { sleep } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { loadProvisionerKey, mintToken } from '../core/ca-client/index.js';
import { spiffeUri } from '../core/tls/index.js';
import type { PhoenixEnv } from './env.js';
import { homeLayout, PHOENIX_BIN, type HomeLayout } from './paths.js';
import { generateApiKey, generatePassword, resolveSecret } from './secrets.js';
import { removeState, writeState } from './state.js';
import type { RoleName } from './roles.js';
import { acmeIdentitySection, acmeProvisioners } from './acme-setup.js';
import { caLayout } from '../pki/layout.js';
import { freePort } from '../core/free-port.js';

const DEFAULT_PORTS = { ca: 9000, hub: 9443, router: 7443, gateway: 8443 } as const;
const START_ORDER = ['ca', 'hub', 'agent', 'router', 'gateway'] as const;
type PlatformRole = (typeof START_ORDER)[number];

export interface UpOptions {
  env: PhoenixEnv;
  /** Where the banner and the ready line go. */
  print: (line: string) => void;
}

/**
 * `phoenix up`: the whole platform on this host, every role a supervised child process, started in
 * dependency order (ca → hub → agent → router → gateway). Each role except the CA gets a one-time,
 * SAN-bound token minted here for its first certificate (and a fresh one if it has to be restarted).
 * Ready when a request through the gateway reaches a replica. Ctrl-C stops everything.
 */
export async function up(options: UpOptions): Promise<void> {
  const { env, print } = options;
  const paths = homeLayout(env.home);
  for (const dir of [paths.home, paths.run, paths.logs]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  // The supervisor's own JSON log goes to a file; the terminal gets short human lines.
  const logger = createLogger('phoenix', 'supervisor', { level: env.logLevel ?? 'info', file: paths.roleLog('supervisor') });
  print(`Starting Phoenix in ${paths.home}`);
  const apiKey = resolveSecret(env.apiKey, paths.apiKey, generateApiKey);
  const adminPassword = resolveSecret(env.adminPassword, paths.adminPassword, generatePassword);
  const trustDomain = env.trustDomain ?? DEFAULT_TRUST_DOMAIN;
  const lifetimeMs = parseDuration(env.certLifetime ?? '24h');
  const logLevel = env.logLevel ?? 'info';

  const children = new Map<PlatformRole, SupervisedChild>();
  const endpoints: Partial<Record<PlatformRole, string>> = {};
  let stopping: Promise<void> | undefined;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const role of [...START_ORDER].reverse()) await children.get(role)?.stop();
      removeState(paths.state);
    })());
  const onSignal = () => {
    print('Stopping Phoenix…');
    void stopAll().then(() => {
      print('Phoenix stopped.');
      process.exit(0);
    });
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  // Ports are fixed before anything starts (a 0 becomes a free port now), so every role can be told
  // where the others will be — the hub health-checks the gateway, for one.
  const ports: Record<keyof typeof DEFAULT_PORTS, number> = { ca: 0, hub: 0, router: 0, gateway: 0 };
  for (const role of Object.keys(DEFAULT_PORTS) as Array<keyof typeof DEFAULT_PORTS>) {
    const wanted = Number(env.ports[role] ?? DEFAULT_PORTS[role]);
    ports[role] = wanted === 0 ? await freePort() : wanted;
  }
  // The router and gateway answer ACME http-01 on ports of their own (see acme-setup.ts).
  const acmePorts = { router: await freePort(), gateway: await freePort() };
  const gatewayUrl = `https://localhost:${ports.gateway}`;
  let caUrl = '';

  /** The identity section every non-CA role gets, with a fresh one-time token. */
  const identitySection = async (role: string, name: string) => {
    const request = { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };
    const uri = spiffeUri(trustDomain, role, name);
    const token = await mintToken(loadProvisionerKey(paths.provisionerKey), { subject: uri, sans: [...request.dnsNames, ...request.ipAddresses, uri], caUrl });
    return { ca: { url: caUrl, rootFile: paths.rootCert, token }, ...request };
  };

  const configFor = async (role: PlatformRole, port: number): Promise<Record<string, unknown>> => {
    const common = { name: role === 'agent' ? agentName() : role, trustDomain, dataDir: paths.roleDir(role), log: { level: logLevel } };
    switch (role) {
      case 'ca':
        return {
          ...common,
          listen: { host: '127.0.0.1', port },
          lifetime: { default: formatDuration(lifetimeMs), min: formatDuration(Math.min(lifetimeMs, 300_000)), max: formatDuration(Math.max(lifetimeMs, 86_400_000)) },
          acme: acmeProvisioners(trustDomain, acmePorts),
        };
      case 'hub':
        return {
          ...common,
          listen: { host: '127.0.0.1', port },
          ca: { url: caUrl, rootFile: paths.rootCert, provisionerKeyFile: paths.provisionerKey, enrollKeyFile: caLayout(paths.caDir).enrollKeyFile },
          adminPassword: adminPassword.value,
          peers: [
            { role: 'ca', name: 'ca', healthUrl: `${caUrl}/health` },
            { role: 'gateway', name: 'gateway', healthUrl: `${gatewayUrl}/healthz` },
          ],
          identity: await identitySection('hub', 'hub'),
        };
      case 'agent':
        return {
          ...common,
          hubUrl: endpoints.hub,
          ca: { url: caUrl, rootFile: paths.rootCert },
          advertiseAddress: '127.0.0.1',
          runtime: { phoenixBin: PHOENIX_BIN },
          identity: await identitySection('agent', common.name),
        };
      case 'router':
        return { ...common, listen: { host: '127.0.0.1', port }, hubUrl: endpoints.hub, identity: { ...(await identitySection('router', 'router')), acme: acmeIdentitySection(caUrl, 'router', acmePorts.router) } };
      case 'gateway':
        return {
          ...common,
          listen: { host: env.gatewayHost ?? '127.0.0.1', port },
          routerUrl: endpoints.router,
          apiKey: apiKey.value,
          identity: {
            ...(await identitySection('gateway', 'gateway')),
            files: { key: `${paths.roleDir('gateway')}/tls/gateway.key`, cert: `${paths.roleDir('gateway')}/tls/gateway.crt` },
            acme: acmeIdentitySection(caUrl, 'gateway', acmePorts.gateway),
          },
        };
    }
  };

  try {
    for (const role of START_ORDER) {
      let port = role === 'agent' ? 0 : ports[role];
      const child = new SupervisedChild(
        {
          name: role,
          modulePath: PHOENIX_BIN,
          args: ['run', role satisfies RoleName, '--config', paths.roleConfig(role)],
          logFile: paths.roleLog(role),
          restart: 'on-failure',
          readyTimeoutMs: 60_000,
          beforeStart: async () => {
            writeFileSync(paths.roleConfig(role), JSON.stringify(await configFor(role, port), null, 2), { mode: 0o600 });
          },
        },
        logger,
      );
      children.set(role, child);
      child.on('exit', (code: number | null, signal: string | null) => {
        if (!stopping) print(`${role} exited (${signal ?? `code ${code}`}); restarting — see ${paths.roleLog(role)}`);
      });
      const ready = await child.start();
      const api = ready.endpoints['api'];
      if (api) {
        endpoints[role] = api;
        port = Number(new URL(api).port); // a restart keeps the same port
      }
      if (role === 'ca') caUrl = api ?? '';
      logger.info({ role, api }, 'role ready');
      print(`  ${role.padEnd(8)} ready${api ? ` at ${api}` : ''}`);
    }
    await waitForDataPath(endpoints.gateway as string, readFileSync(paths.rootCert, 'utf8'), logger);
  } catch (err) {
    print(`Phoenix failed to start: ${errorMessage(err)}`);
    print(`Logs: ${paths.logs}`);
    await stopAll();
    process.exitCode = 1;
    return;
  }

  writeState(paths.state, {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    home: paths.home,
    trustDomain,
    roles: Object.fromEntries(START_ORDER.map((r) => [r, { pid: children.get(r)?.pid, api: endpoints[r] }])),
  });
  banner(print, paths, endpoints, apiKey.source, adminPassword.source);
}

function agentName(): string {
  return hostname().toLowerCase().replace(/[^a-z0-9._-]/g, '-').slice(0, 64) || 'local';
}

/** Waits until `GET /readyz` through the gateway answers 200: gateway → router → replica works. */
async function waitForDataPath(gatewayUrl: string, rootPem: string, logger: Logger): Promise<void> {
  const agent = new Agent({ connect: { ca: rootPem } });
  const deadline = Date.now() + 90_000;
  let last = '';
  try {
    while (Date.now() < deadline) {
      try {
        const res = await request(`${gatewayUrl}/readyz`, { dispatcher: agent, headersTimeout: 5000 });
        last = `${res.statusCode} ${await res.body.text()}`;
        if (res.statusCode === 200) return;
      } catch (err) {
        last = errorMessage(err);
      }
      await sleep(250);
    }
  } finally {
    await agent.close();
  }
  logger.error({ last }, 'data path not ready');
  throw new Error(`the gateway did not reach a ready replica within 90 s (last answer: ${last})`);
}

function banner(print: (line: string) => void, paths: HomeLayout, endpoints: Partial<Record<PlatformRole, string>>, apiKeySource: string, passwordSource: string): void {
  const keyHint = apiKeySource === 'environment' ? 'PHOENIX_API_KEY' : apiKeySource;
  print('');
  print(`Phoenix is running (data in ${paths.home})`);
  print(`  gateway  ${endpoints.gateway}   Qdrant REST API (HTTPS, API key required)`);
  print(`  hub      ${endpoints.hub}   console + API (user admin, password: ${passwordSource === 'environment' ? 'PHOENIX_ADMIN_PASSWORD' : passwordSource})`);
  print(`  ca       ${endpoints.ca}   certificate authority`);
  print(`  router   ${endpoints.router}   internal, mTLS (gateway identities only)`);
  print(`  root certificate: ${paths.rootCert}`);
  print(`  API key:          ${keyHint}`);
  print(`  logs:             ${paths.logs}`);
  print('');
  const keyExpr = apiKeySource === 'environment' ? '$PHOENIX_API_KEY' : `$(cat ${paths.apiKey})`;
  print(`Try: curl --cacert ${paths.rootCert} -H "api-key: ${keyExpr}" ${endpoints.gateway}/collections`);
  print(`Phoenix is ready: ${endpoints.gateway} — press Ctrl-C to stop.`);
}
