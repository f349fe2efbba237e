import { z } from 'zod';
import { ROLES } from '../../auth/roles.js';
import type { UserRecord } from '../../store/users.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';

const username = z.string().regex(/^[a-zA-Z0-9._@-]{1,64}$/, 'use letters, digits, ".", "_", "@" and "-" (1–64)');
const password = z.string().min(8, 'passwords need at least 8 characters').max(1024);
const role = z.enum(ROLES);

const iso = (ms: number) => new Date(ms).toISOString();
export const userWire = (u: UserRecord) => ({ username: u.username, role: u.role, createdAt: u.createdAt ? iso(u.createdAt) : null, updatedAt: iso(u.updatedAt) });

/** Console users and their roles (admins only). */
export function userEndpoints(api: ApiRegistry, s: HubServices): void {
  const params = z.strictObject({ username });
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/users',
      summary: 'Every user with their role',
      tag: 'users',
      access: 'admin',
      handler: async () => s.accounts.listUsers().map(userWire),
    }),
    endpoint({
      method: 'POST',
      url: '/api/users',
      summary: 'Create a user',
      tag: 'users',
      access: 'admin',
      body: z.strictObject({ username, password, role }),
      audit: 'user.create',
      responses: { 409: 'the name is taken' },
      handler: async ({ body, reply, audit }) => {
        audit.target = body.username;
        audit.detail = { role: body.role };
        const user = await s.accounts.createUser(body.username, body.password, body.role);
        return reply.code(201).send(userWire(user));
      },
    }),
    endpoint({
      method: 'PATCH',
      url: '/api/users/:username',
      summary: "Change a user's role and/or password (a new password ends their sessions)",
      tag: 'users',
      access: 'admin',
      params,
      body: z.strictObject({ role: role.optional(), password: password.optional() }),
      audit: 'user.update',
      handler: async ({ params, body, audit }) => {
        audit.detail = { ...(body.role ? { role: body.role } : {}), passwordChanged: body.password !== undefined };
        return userWire(await s.accounts.updateUser(params.username, body));
      },
    }),
    endpoint({
      method: 'DELETE',
      url: '/api/users/:username',
      summary: 'Delete a user with their sessions and API tokens',
      tag: 'users',
      access: 'admin',
      params,
      audit: 'user.delete',
      handler: async ({ params, reply }) => {
        s.accounts.deleteUser(params.username);
        return reply.code(204).send();
      },
    }),
  );
}
