import type { TLSSocket } from 'node:tls';
import { ConflictError, ForbiddenError } from '../../../core/errors.js';
import { vectorIdentity } from '../../stacks/instances.js';
import { compatibleVersions } from '../../agents/versions.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { commandsRequestSchema, logsRequestSchema, syncRequestSchema, tokenRequestSchema } from './wire.js';

/**
 * The agents' endpoints; only a client certificate with identity `spiffe://<td>/agent/<name>` gets in.
 * - `POST /api/agent/sync`: report what runs (and the host's facts), get back what should run.
 * - `POST /api/agent/token`: a one-time CA token for a replica assigned to the calling agent.
 * - `POST /api/agent/commands`: long poll for commands (log tails).
 * - `POST /api/agent/logs`: log lines for a tail session; the answer says whether to go on.
 */
export function agentEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'POST',
      url: '/api/agent/sync',
      summary: 'Agent sync: report instances and host facts, receive the instances to run',
      tag: 'agent protocol',
      access: 'agent',
      body: syncRequestSchema,
      handler: async ({ body, peer, request }) => {
        if (body.agent.name !== peer.name) {
          throw new ForbiddenError('HUB_AGENT_NAME_MISMATCH', `the sync names agent "${body.agent.name}" but the client certificate is agent "${peer.name}"`);
        }
        const socket = request.raw.socket as TLSSocket;
        const cert = socket.getPeerCertificate();
        const certInfo = { serial: cert?.serialNumber?.toUpperCase() ?? null, notAfter: cert?.valid_to ? Date.parse(cert.valid_to) : null };
        s.certificates.record(socket);
        if (s.config.agents.versionCheck !== 'off' && !compatibleVersions(body.agent.version, s.version, s.config.agents.versionCheck)) {
          const reason = `version mismatch: agent ${body.agent.version}, hub ${s.version} (the ${s.config.agents.versionCheck} versions must match)`;
          s.fleet.refused(peer.name, reason, certInfo.serial && certInfo.notAfter ? { serial: certInfo.serial, notAfter: certInfo.notAfter } : undefined);
          throw new ConflictError('HUB_AGENT_VERSION_MISMATCH', reason);
        }
        const answer = s.fleet.sync(body.agent, body.instances, certInfo);
        const now = Date.now();
        for (const i of body.instances) {
          if (i.certificate) s.certificates.reported(i.certificate.serial, i.certificate.identity, i.certificate.notAfter, `agent ${peer.name}`);
          if (!i.metrics) continue;
          const view = answer.instances.find((d) => d.id === i.id);
          if (view) s.metrics.observe(`${view.stack}/${view.service}`, `${peer.name}/${i.id}`, i.metrics, now);
        }
        // Replication: the replicas' reports in, their assignments out (the agent relays them).
        return s.replication.answer(peer.name, body.instances, answer, now);
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/agent/token',
      summary: 'A one-time CA token for an instance assigned to the calling agent',
      tag: 'agent protocol',
      access: 'agent',
      body: tokenRequestSchema,
      handler: async ({ body, peer }) => {
        const assigned = s.fleet.assignedAgent(body.instance);
        // An unmanaged instance the agent found on its disk may run (and so get a certificate) until adopted or removed.
        if (assigned !== peer.name && !(assigned === undefined && s.fleet.unmanagedOn(peer.name, body.instance))) {
          throw new ForbiddenError('HUB_INSTANCE_NOT_ASSIGNED', `instance "${body.instance}" is not assigned to agent "${peer.name}"`);
        }
        const agent = s.fleet.agent(peer.name);
        if (!agent) throw new ConflictError('HUB_AGENT_UNKNOWN', `agent "${peer.name}" must sync before asking for tokens`);
        const identity = vectorIdentity(s.config.trustDomain, body.instance);
        const token = await s.tokens.forReplica(identity, agent.advertiseAddress);
        s.logger.info({ agent: peer.name, instance: body.instance, identity }, 'replica token issued');
        return { token };
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/agent/commands',
      summary: 'Long poll: commands for the calling agent (log tails), answered at once or within waitMs',
      tag: 'agent protocol',
      access: 'agent',
      body: commandsRequestSchema,
      handler: async ({ body, peer, request }) => {
        const ac = new AbortController();
        const stop = () => ac.abort();
        request.raw.once('close', stop);
        s.signal.addEventListener('abort', stop, { once: true });
        try {
          return { commands: await s.channel.next(peer.name, body.waitMs, ac.signal) };
        } finally {
          s.signal.removeEventListener('abort', stop);
          request.raw.off('close', stop);
        }
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/agent/logs',
      summary: 'Log lines for a tail session; answers whether the viewer is still there',
      tag: 'agent protocol',
      access: 'agent',
      body: logsRequestSchema,
      handler: async ({ body, peer }) => s.logs.deliver(peer.name, body.session, body.lines, body.eof, body.error),
    }),
  );
}
