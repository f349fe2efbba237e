import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Serves the web console: the Vite build of `src/hub/ui/app` (written to `dist/console` by
 * `npm run build`). Asset names carry content hashes and are cached for good; every other
 * non-API path answers the app's `index.html`, whose router shows the right page.
 */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/', import.meta.url));

/** Scripts and styles from the hub only, no framing, no plugins, nothing inline. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

function secure(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CONSOLE_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY')
    .header('cross-origin-opener-policy', 'same-origin');
}

export interface ConsoleFiles {
  /** Answers GET for a console path (the app shell or an asset); false when `path` is not the console's. */
  serve(request: FastifyRequest, reply: FastifyReply): boolean;
}

export function consoleFiles(dir: string = DEFAULT_CONSOLE_DIR): ConsoleFiles {
  const root = normalize(dir.endsWith(sep) ? dir : dir + sep);
  const indexFile = join(root, 'index.html');
  return {
    serve(request, reply) {
      if (request.method !== 'GET' && request.method !== 'HEAD') return false;
      const path = decodeURIComponent((request.url.split('?')[0] ?? '/').replace(/\+/g, ' '));
      if (path.startsWith('/api/') || path === '/api') return false;
      if (path.startsWith('/assets/') || path === '/favicon.svg') {
        const file = normalize(join(root, path));
        if (!file.startsWith(root) || !existsSync(file) || !statSync(file).isFile()) return false;
        secure(reply)
          .header('cache-control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'public, max-age=3600')
          .type(TYPES[extname(file)] ?? 'application/octet-stream')
          .send(readFileSync(file));
        return true;
      }
      if (!existsSync(indexFile)) {
        secure(reply).code(503).type('text/plain; charset=utf-8').send(`The web console is not built (no ${indexFile}). Run: npm run build\nThe API is at /api (see /api/openapi.json).\n`);
        return true;
      }
      secure(reply).header('cache-control', 'no-store').type(TYPES['.html'] as string).send(readFileSync(indexFile));
      return true;
    },
  };
}
