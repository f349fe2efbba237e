import { resolve } from 'node:path';

/**
 * The only place that reads `process.env` (DESIGN.md §Conventions 1). Everything else receives
 * validated values.
 */
export interface PhoenixEnv {
  home: string;
  apiKey: string | undefined;
  adminPassword: string | undefined;
  trustDomain: string | undefined;
  certLifetime: string | undefined;
  logLevel: string | undefined;
  ports: Partial<Record<'ca' | 'hub' | 'router' | 'gateway', string>>;
  gatewayHost: string | undefined;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): PhoenixEnv {
  const ports: PhoenixEnv['ports'] = {};
  for (const role of ['ca', 'hub', 'router', 'gateway'] as const) {
    const v = env[`PHOENIX_${role.toUpperCase()}_PORT`];
    if (v !== undefined && v !== '') ports[role] = v;
  }
  return {
    home: resolve(env['PHOENIX_HOME'] || '.phoenix'),
    apiKey: env['PHOENIX_API_KEY'] || undefined,
    adminPassword: env['PHOENIX_ADMIN_PASSWORD'] || undefined,
    trustDomain: env['PHOENIX_TRUST_DOMAIN'] || undefined,
    certLifetime: env['PHOENIX_CERT_LIFETIME'] || undefined,
    logLevel: env['PHOENIX_LOG_LEVEL'] || undefined,
    ports,
    gatewayHost: env['PHOENIX_GATEWAY_HOST'] || undefined,
  };
}
