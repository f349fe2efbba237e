import { readFileSync } from 'node:fs';

/** Phoenix's version, from package.json (compiled file: dist/src/hub/version.js). */
export function phoenixVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}
