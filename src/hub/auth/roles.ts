/**
 * The console's roles, from least to most privileged. Every endpoint states the least role it
 * needs; a user (or an API token) with that role or a higher one gets in.
 * - viewer: reads status, stacks, instances, agents, metrics, certificates.
 * - operator: also edits and deploys stacks, scales, rolls back, reads logs, adopts instances.
 * - admin: also manages users, enrollment tokens, agents, certificates (revoke) and reads the audit log.
 */
export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function roleRank(role: Role): number {
  return ROLES.indexOf(role);
}

/** True when `held` is `needed` or more privileged. */
export function hasRole(held: Role, needed: Role): boolean {
  return roleRank(held) >= roleRank(needed);
}
