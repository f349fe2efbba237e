import { Command } from 'commander';
import { registerCaCommands } from './ca-commands.js';
import { registerHubCommands } from './hub-commands.js';
import { readEnv } from './env.js';
import { registerKeysCommands } from './keys-commands.js';
import { registerRenderCommands } from './render-commands.js';
import { runRole } from './run-role.js';
import { status } from './status.js';
import { up } from './up.js';

/** The `phoenix` command line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('phoenix')
    .description('Serve a Qdrant vector database securely: CA, gateway, router, hub, agents and a Qdrant-compatible engine.')
    .showHelpAfterError();

  program
    .command('up')
    .description('run the whole platform on this host (data in $PHOENIX_HOME, default ./.phoenix)')
    .option('--home <dir>', 'data directory (overrides PHOENIX_HOME)')
    .action(async (opts: { home?: string }) => {
      const env = readEnv(opts.home ? { ...process.env, PHOENIX_HOME: opts.home } : process.env);
      await up({ env, print: (line) => console.log(line) });
    });

  program
    .command('run')
    .description('run one role in this process (multi-host deployments; used by `phoenix up` and the agent)')
    .argument('<role>', 'ca | hub | agent | router | gateway | vector')
    .requiredOption('--config <file>', 'role configuration (YAML or JSON)')
    .action(async (role: string, opts: { config: string }) => {
      await runRole(role, opts.config);
    });

  program
    .command('status')
    .description('health of every role started by `phoenix up`; exit code 0 only when all are healthy')
    .option('--home <dir>', 'data directory (overrides PHOENIX_HOME)')
    .action(async (opts: { home?: string }) => {
      const env = readEnv(opts.home ? { ...process.env, PHOENIX_HOME: opts.home } : process.env);
      process.exitCode = await status(env, (line) => console.log(line));
    });

  registerCaCommands(program);
  registerHubCommands(program);
  registerKeysCommands(program);
  registerRenderCommands(program);

  await program.parseAsync(argv, { from: 'user' });
}
