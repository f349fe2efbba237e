import { createWriteStream, realpathSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { BadRequestError, WrongInputError } from '../errors.js';

/**
 * Brings a snapshot named by a recover request's `location` to a local file: `file://` paths
 * (only inside the snapshots directory, so a request cannot read arbitrary files of the host)
 * or `http(s)://` URLs (redirects followed, `api-key` sent when given).
 */
export async function fetchSnapshot(location: string, to: string, options: { snapshotsDir: string; apiKey?: string; maxBytes: number }): Promise<void> {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new WrongInputError(`Invalid snapshot location ${JSON.stringify(location)}: expected a file:// or http(s):// URL`, 'VECTOR_SNAPSHOT_LOCATION');
  }
  if (url.protocol === 'file:') {
    let path: string;
    try {
      path = realpathSync(fileURLToPath(url));
    } catch {
      throw new WrongInputError(`Snapshot file ${fileURLToPath(url)} does not exist`, 'VECTOR_SNAPSHOT_LOCATION');
    }
    const rel = relative(realpathSync(options.snapshotsDir), path);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new WrongInputError(`Snapshot file must be inside the snapshots directory ${options.snapshotsDir}`, 'VECTOR_SNAPSHOT_LOCATION');
    await copyFile(path, to);
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new WrongInputError(`Unsupported snapshot location scheme ${url.protocol}: expected file://, http:// or https://`, 'VECTOR_SNAPSHOT_LOCATION');
  let target = url.toString();
  for (let hop = 0; hop < 5; hop++) {
    const res = await request(target, { method: 'GET', headers: options.apiKey ? { 'api-key': options.apiKey } : {}, maxRedirections: 0 } as Parameters<typeof request>[1]).catch((err: Error) => {
      throw new BadRequestError(`Failed to download snapshot from ${target}: ${err.message}`, 'VECTOR_SNAPSHOT_DOWNLOAD');
    });
    if (res.statusCode >= 300 && res.statusCode < 400 && res.headers.location) {
      await res.body.dump();
      target = new URL(String(res.headers.location), target).toString();
      continue;
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new BadRequestError(`Failed to download snapshot from ${target}: status ${res.statusCode}`, 'VECTOR_SNAPSHOT_DOWNLOAD');
    }
    let bytes = 0;
    res.body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > options.maxBytes) res.body.destroy(new Error(`snapshot larger than ${options.maxBytes} bytes`));
    });
    await pipeline(res.body, createWriteStream(to)).catch((err: Error) => {
      throw new BadRequestError(`Failed to download snapshot from ${target}: ${err.message}`, 'VECTOR_SNAPSHOT_DOWNLOAD');
    });
    return;
  }
  throw new BadRequestError(`Failed to download snapshot from ${location}: too many redirects`, 'VECTOR_SNAPSHOT_DOWNLOAD');
}
