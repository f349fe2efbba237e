import { createHash, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { durationMs } from '../../../core/config.js';
import { NotFoundError } from '../../../core/errors.js';
import type { EnrollmentToken } from '../../store/enrollment.js';
import { agentName } from '../agents/wire.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { agentWire, iso } from '../wire.js';

const tokenWire = (t: EnrollmentToken, now = Date.now()) => ({
  id: t.id,
  agentName: t.agentName,
  createdBy: t.createdBy,
  createdAt: iso(t.createdAt),
  expiresAt: iso(t.expiresAt),
  usedAt: iso(t.usedAt),
  usedBy: t.usedBy,
  usedFrom: t.usedFrom,
  state: t.usedAt !== null ? 'used' : t.expiresAt <= now ? 'expired' : 'unused',
});

/** SHA-256 fingerprint (hex) of the first certificate in a PEM bundle, as `phoenix ca fingerprint` prints it. */
export function rootFingerprint(rootPem: string): string {
  const first = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(rootPem)?.[0] ?? rootPem;
  return createHash('sha256').update(new X509Certificate(first).raw).digest('hex');
}

/** Environments: the agents, their removal, enrollment tokens, and the enrollment exchange itself. */
export function environmentEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/agents',
      summary: 'Every agent: version, last heartbeat, host facts, and when unreachable, why',
      tag: 'environments',
      access: 'viewer',
      handler: async () => s.fleet.agents().map((a) => agentWire(a, s.version)),
    }),
    endpoint({
      method: 'DELETE',
      url: '/api/agents/:name',
      summary: 'Remove an agent: its instances move to other agents; with revoke=true its certificate is revoked first',
      tag: 'environments',
      access: 'admin',
      params: z.strictObject({ name: agentName }),
      query: z.strictObject({ revoke: z.enum(['true', 'false']).default('false') }),
      audit: 'agent.remove',
      handler: async ({ params, query, who, reply, audit }) => {
        const agent = s.fleet.agent(params.name);
        if (!agent) throw new NotFoundError('HUB_AGENT_NOT_FOUND', `no agent named "${params.name}"`);
        if (query.revoke === 'true' && agent.certSerial) {
          const r = await s.certificates.revoke(agent.certSerial, 'cessationOfOperation', who.label);
          audit.detail = { revokedSerial: r.serial, disconnected: r.disconnected };
        }
        s.fleet.removeAgent(params.name);
        return reply.code(204).send();
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/enrollment-tokens',
      summary: 'Enrollment tokens (without their secrets): unused, used (by whom, from where) or expired',
      tag: 'environments',
      access: 'admin',
      handler: async () => s.enrollment.list().map((t) => tokenWire(t)),
    }),
    endpoint({
      method: 'POST',
      url: '/api/enrollment-tokens',
      summary: 'Create a one-time enrollment token for a new host (shown once, with the command to run there)',
      tag: 'environments',
      access: 'admin',
      body: z.strictObject({ agentName: agentName.optional(), ttl: durationMs.prefault('1h') }),
      audit: 'enrollment.create',
      handler: async ({ body, who, request, reply, audit }) => {
        const { token, record } = s.enrollment.create(who.label, body.agentName ?? null, body.ttl);
        audit.target = record.id;
        audit.detail = { agentName: record.agentName, expiresAt: iso(record.expiresAt) };
        const hubUrl = s.config.publicUrl ?? `https://${request.headers.host ?? `localhost:${s.config.listen.port}`}`;
        const fingerprint = rootFingerprint(s.rootPem);
        const name = body.agentName ?? '<name>';
        return reply.code(201).send({
          ...tokenWire(record),
          token,
          hubUrl,
          fingerprint,
          command: `phoenix agent enroll --hub ${hubUrl} --fingerprint ${fingerprint} --token ${token} --name ${name}`,
        });
      },
    }),
    endpoint({
      method: 'DELETE',
      url: '/api/enrollment-tokens/:id',
      summary: 'Delete an enrollment token',
      tag: 'environments',
      access: 'admin',
      params: z.strictObject({ id: z.string().regex(/^[0-9a-f]{1,32}$/) }),
      audit: 'enrollment.delete',
      handler: async ({ params, reply }) => {
        if (!s.enrollment.delete(params.id)) throw new NotFoundError('HUB_ENROLLMENT_TOKEN_NOT_FOUND', `no enrollment token "${params.id}"`);
        return reply.code(204).send();
      },
    }),
    endpoint({
      method: 'GET',
      url: '/api/enroll/root',
      summary: 'The platform’s root certificate and its SHA-256 fingerprint (a host compares it with the fingerprint it was given)',
      tag: 'environments',
      access: 'public',
      handler: async () => ({ rootPem: s.rootPem, fingerprint: rootFingerprint(s.rootPem), trustDomain: s.config.trustDomain, caUrl: s.config.ca.url }),
    }),
    endpoint({
      method: 'POST',
      url: '/api/enroll',
      summary: 'Enroll a host: exchange a one-time enrollment token for a one-time CA token for its agent identity',
      tag: 'environments',
      access: 'public',
      body: z.strictObject({ token: z.string().min(8).max(256), name: agentName }),
      audit: 'agent.enroll',
      responses: { 401: 'unknown, used or expired token', 409: 'an agent of that name is connected' },
      handler: async ({ body, request, audit }) => {
        audit.actor = { name: `host enrolling as ${body.name}`, kind: 'anonymous' };
        audit.target = body.name;
        const grant = await s.enrollment.enroll(body.token, body.name, request.ip);
        s.logger.info({ agent: body.name, from: request.ip }, 'host enrolled');
        return { ...grant, hubVersion: s.version };
      },
    }),
  );
}
