#!/usr/bin/env node
// Runs every compiled test file: unit tests (beside the code, src/**/*.test.ts) first, then
// integration tests (test/integration/**). Extra arguments filter by substring of the path.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  let out = [];
  let entries = [];
  try { entries = readdirSync(dir); } catch { return out; }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out = out.concat(find(p));
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

const filters = process.argv.slice(2);
const pick = (files) => (filters.length ? files.filter((f) => filters.some((s) => f.includes(s))) : files);
const unit = pick(find('dist/src'));
const integration = pick(find('dist/test'));

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env: { ...process.env, PHOENIX_TEST: '1' },
  });
  return r.status ?? 1;
}

let status = run(unit, 2);
if (status === 0) status = run(integration, 1);
process.exit(status);
