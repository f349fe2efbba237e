#!/usr/bin/env node
// The `phoenix` command. The TypeScript sources are compiled to dist/ by `npm run build`
// (`npm start` builds first).
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
