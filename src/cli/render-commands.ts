import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { renderNginxGateway } from '../policy/nginx-gateway.js';
import { readEnv } from './env.js';
import { homeLayout } from './paths.js';
import { readState } from './state.js';

interface NginxOptions {
  listen: string;
  host: string;
  prefix?: string;
  home?: string;
  router?: string;
  routerName: string;
  serviceHost?: string;
  rate?: string;
  burst?: string;
  bodyLimitMb: string;
  readOnlyKeyFile?: string;
}

/** `phoenix render …`: configuration for other software in a Phoenix role. */
export function registerRenderCommands(program: Command): void {
  const render = program.command('render').description('print configuration for running other software in a Phoenix role');
  render
    .command('nginx')
    .description('a complete nginx configuration for the gateway role (run it with nginx -p DIR -c FILE)')
    .option('--listen <port>', 'port nginx listens on', '8443')
    .option('--host <address>', 'address nginx listens on', '127.0.0.1')
    .option('--prefix <dir>', "nginx's directory for its pid, logs and temporary files (default $PHOENIX_HOME/nginx)")
    .option('--home <dir>', 'data directory (overrides PHOENIX_HOME)')
    .option('--router <url>', 'the router (default: the one `phoenix up` runs)')
    .option('--router-name <name>', "name checked in the router's certificate and sent as SNI", 'localhost')
    .option('--service-host <host>', "Host header sent to the router instead of the client's (default: the client's)")
    .option('--rate <n>', 'requests per second per API key (default: no rate limit)')
    .option('--burst <n>', 'requests allowed at once above the rate', '100')
    .option('--body-limit-mb <n>', 'largest request body in MB', '32')
    .option('--read-only-key-file <file>', 'file holding a read-only API key')
    .action((opts: NginxOptions) => {
      process.stdout.write(nginxConfig(opts));
    });
}

function nginxConfig(opts: NginxOptions): string {
  const env = readEnv(opts.home ? { ...process.env, PHOENIX_HOME: opts.home } : process.env);
  const paths = homeLayout(env.home);
  const routerUrl = opts.router ?? readState(paths.state)?.roles['router']?.api;
  if (!routerUrl) throw new ConfigError(`no router: start Phoenix (phoenix up) in ${paths.home} or give --router https://HOST:PORT`);
  const router = new URL(routerUrl);
  const apiKey = env.apiKey ?? readSecret(paths.apiKey, 'the API key (set PHOENIX_API_KEY or run phoenix up once)');
  const port = Number(opts.listen);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`--listen must be a port number, not ${opts.listen}`);
  const tlsDir = join(paths.roleDir('gateway'), 'tls');
  return renderNginxGateway({
    listen: { host: opts.host, port },
    prefix: opts.prefix ?? join(paths.home, 'nginx'),
    tls: { cert: join(tlsDir, 'gateway.crt'), key: join(tlsDir, 'gateway.key') },
    rootCert: paths.rootCert,
    router: { host: router.hostname, port: Number(router.port || 443), name: opts.routerName },
    serviceHost: opts.serviceHost,
    apiKey,
    readOnlyApiKey: opts.readOnlyKeyFile ? readSecret(opts.readOnlyKeyFile, 'the read-only API key') : undefined,
    bodyLimit: Number(opts.bodyLimitMb) * 1024 * 1024,
    rateLimit: opts.rate ? { perSecond: Number(opts.rate), burst: Number(opts.burst) } : undefined,
  });
}

function readSecret(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    throw new ConfigError(`cannot read ${what} from ${file}`);
  }
}
