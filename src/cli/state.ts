import { readFileSync, writeFileSync, rmSync } from 'node:fs';

/** What `phoenix up` records for `phoenix status`: who runs where. */
export interface PlatformState {
  pid: number;
  startedAt: string;
  home: string;
  trustDomain: string;
  roles: Record<string, { pid: number | undefined; api: string | undefined }>;
}

export function writeState(file: string, state: PlatformState): void {
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export function readState(file: string): PlatformState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as PlatformState;
  } catch {
    return undefined;
  }
}

export function removeState(file: string): void {
  rmSync(file, { force: true });
}
