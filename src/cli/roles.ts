import type { Logger } from 'pino';
import type { z } from 'zod';
import type { RoleHandle } from '../core/lifecycle.js';
import type { TlsIdentity } from '../core/tls/index.js';
import { agentConfigSchema } from '../agent/config.js';
import { startAgent } from '../agent/main.js';
import { gatewayConfigSchema } from '../gateway/config.js';
import { startGateway } from '../gateway/main.js';
import { hubConfigSchema } from '../hub/config.js';
import { startHub } from '../hub/main.js';
import { caConfigSchema } from '../pki/config.js';
import { startCa } from '../pki/main.js';
import { routerConfigSchema } from '../router/config.js';
import { startRouter } from '../router/main.js';
import { vectorConfigSchema } from '../vector/config.js';
import { startVector } from '../vector/main.js';

/**
 * Every role the `phoenix` command can run: its config schema, its composition root, and whether
 * it needs a certificate identity from the CA before it starts (the CA issues its own).
 */
export interface RoleEntry {
  schema: z.ZodType;
  /** Identity role name (the SPIFFE path segment), or null for the CA. */
  identityRole: string | null;
  start(config: never, deps: { identity: TlsIdentity | undefined; logger: Logger }): Promise<RoleHandle>;
}

function withIdentity<C>(start: (config: C, deps: { identity: TlsIdentity; logger: Logger }) => Promise<RoleHandle>) {
  return (config: C, deps: { identity: TlsIdentity | undefined; logger: Logger }) => {
    if (!deps.identity) throw new Error('this role needs a certificate identity');
    return start(config, { identity: deps.identity, logger: deps.logger });
  };
}

export const ROLE_ENTRIES = {
  ca: { schema: caConfigSchema, identityRole: null, start: (config: z.output<typeof caConfigSchema>, deps: { logger: Logger }) => startCa(config, { logger: deps.logger }) },
  hub: { schema: hubConfigSchema, identityRole: 'hub', start: withIdentity(startHub) },
  agent: { schema: agentConfigSchema, identityRole: 'agent', start: withIdentity(startAgent) },
  router: { schema: routerConfigSchema, identityRole: 'router', start: withIdentity(startRouter) },
  gateway: { schema: gatewayConfigSchema, identityRole: 'gateway', start: withIdentity(startGateway) },
  vector: { schema: vectorConfigSchema, identityRole: 'vector', start: withIdentity(startVector) },
} as const satisfies Record<string, RoleEntry>;

export type RoleName = keyof typeof ROLE_ENTRIES;

export function isRoleName(name: string): name is RoleName {
  return Object.hasOwn(ROLE_ENTRIES, name);
}
