/**
 * A vector engine in its own process, for the durability test: opens the engine on the data
 * directory given as argument, serves the API on plain HTTP on a free port, and reports the port
 * to the parent over IPC. The parent kills it with SIGKILL.
 */
import type { AddressInfo } from 'node:net';
import { buildVectorApp, Engine } from '../../../src/vector/main.js';
import { silentLogger } from '../../../src/core/log.js';

const dataDir = process.argv[2];
if (!dataDir) {
  console.error('usage: engine-child <data-dir>');
  process.exit(2);
}
const engine = Engine.open(dataDir);
const app = buildVectorApp(engine, { logger: silentLogger() });
await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ type: 'ready', port: (app.server.address() as AddressInfo).port });
process.once('disconnect', () => process.exit(0));
