import { z } from 'zod';
import { ConflictError, NotFoundError, UnavailableError } from '../../../core/errors.js';
import type { LogEvent, LogSession } from '../../agents/log-sessions.js';
import { endpoint, type ApiRegistry } from '../registry.js';
import type { HubServices } from '../services.js';
import { instanceWire } from '../wire.js';
import { deployWire } from '../stacks/routes.js';

const params = z.strictObject({ id: z.string().regex(/^[a-zA-Z0-9._-]{1,128}$/) });

/** Instances: list, live log tail (Server-Sent Events), adopt an unmanaged one. */
export function instanceEndpoints(api: ApiRegistry, s: HubServices): void {
  api.add(
    endpoint({
      method: 'GET',
      url: '/api/instances',
      summary: 'Every instance: desired ones with what their agents report, strays being stopped, unmanaged ones found on agents',
      tag: 'instances',
      access: 'viewer',
      handler: async () => s.fleet.instances().map(instanceWire),
    }),
    endpoint({
      method: 'GET',
      url: '/api/instances/:id/logs',
      summary: 'The instance’s log from its agent: the last lines, then (follow=true, text/event-stream) new lines as they are written',
      tag: 'instances',
      access: 'operator',
      params,
      query: z.strictObject({ lines: z.coerce.number().int().min(0).max(5000).default(200), follow: z.enum(['true', 'false']).default('false') }),
      produces: 'text/event-stream',
      responses: { 404: 'no such instance', 503: 'its agent is unreachable' },
      handler: async ({ params, query, request, reply }) => {
        const view = s.fleet.instances().find((v) => v.id === params.id);
        if (!view) throw new NotFoundError('HUB_INSTANCE_NOT_FOUND', `no instance "${params.id}"`);
        if (!view.agent) throw new ConflictError('HUB_INSTANCE_UNASSIGNED', `instance "${params.id}" runs on no agent yet`);
        const agent = s.fleet.agents().find((a) => a.name === view.agent);
        if (!agent?.liveness.healthy || !s.channel.listening(agent.name)) {
          throw new UnavailableError('HUB_AGENT_UNREACHABLE', `agent "${view.agent}" does not answer: ${agent?.liveness.detail ?? 'never seen'}`);
        }
        const session = s.logs.open(agent.name, params.id, query.lines, query.follow === 'true');
        if (query.follow !== 'true') return collect(session);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', 'x-request-id': request.id });
        res.write(`event: open\ndata: ${JSON.stringify({ instance: params.id, agent: agent.name })}\n\n`);
        const send = (e: LogEvent) => {
          if (e.type === 'lines') res.write(`event: lines\ndata: ${JSON.stringify(e.lines)}\n\n`);
          else {
            res.write(`event: end\ndata: ${JSON.stringify(e.reason)}\n\n`);
            res.end();
          }
        };
        const off = session.on(send);
        const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
        const stop = () => {
          clearInterval(keepAlive);
          off();
          session.close();
          s.signal.removeEventListener('abort', onHubStop);
        };
        const onHubStop = () => send({ type: 'end', reason: 'the hub is stopping' });
        s.signal.addEventListener('abort', onHubStop, { once: true });
        res.on('close', stop);
        return reply;
      },
    }),
    endpoint({
      method: 'POST',
      url: '/api/instances/:id/adopt',
      summary: 'Adopt an instance found running on an agent: its stack asks for it from now on, on that agent',
      tag: 'instances',
      access: 'operator',
      params,
      audit: 'instance.adopt',
      handler: async ({ params, who, audit }) => {
        const r = s.operations.adopt(params.id, who.label);
        audit.detail = { agent: r.agent, stack: r.stack.version.name, version: r.stack.version.version };
        return deployWire(r);
      },
    }),
  );
}

/** Without follow: the last lines the agent ships, as JSON, once it says the log ends (or 10 s pass). */
function collect(session: LogSession): Promise<unknown> {
  return new Promise((resolve) => {
    const lines: string[] = [];
    const timer = setTimeout(() => finish('the agent did not finish sending the log within 10 s'), 10_000);
    const finish = (reason: string) => {
      clearTimeout(timer);
      off();
      session.close();
      resolve({ instance: session.instance, agent: session.agent, lines, end: reason });
    };
    const off = session.on((e) => (e.type === 'lines' ? lines.push(...e.lines) : finish(e.reason)));
  });
}
