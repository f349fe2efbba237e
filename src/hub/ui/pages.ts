import type { PlatformStatus } from '../status.js';
import { escapeHtml, layout, table } from './html.js';

/** The console's pages, rendered on the server: plain HTML, no scripts. */
export function loginPage(message?: string): string {
  return layout(
    'Phoenix — log in',
    `<h1>Phoenix</h1>
${message ? `<p class="msg" role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/api/auth/login">
<label>Username <input name="username" value="admin" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button>
</form>`,
  );
}

const health = (healthy: boolean) => (healthy ? '<span class="ok">healthy</span>' : '<span class="bad">unhealthy</span>');
const time = (ms: number | null) => (ms === null ? '<span class="muted">—</span>' : escapeHtml(new Date(ms).toISOString()));

export function dashboardPage(status: PlatformStatus, username: string): string {
  const roles = table(
    ['Role', 'Name', 'Health', 'Detail', 'Last seen'],
    status.roles.map((r) => [escapeHtml(r.role), escapeHtml(r.name), health(r.healthy), escapeHtml(r.detail), time(r.lastSeenAt)]),
    'No roles known yet.',
  );
  const stacks = status.stacks
    .map((s) => {
      const services = table(
        ['Service', 'Runtime', 'Replicas', 'Labels'],
        Object.entries(s.stack.services).map(([name, svc]) => [
          escapeHtml(name),
          escapeHtml(svc.runtime),
          escapeHtml(svc.replicas),
          Object.entries(svc.labels)
            .map(([k, v]) => `${escapeHtml(k)}=${escapeHtml(v)}`)
            .join('<br>'),
        ]),
        'No services.',
      );
      const instances = table(
        ['Instance', 'Service', 'Agent', 'State', 'URL', 'PID', 'Restarts', 'Started'],
        status.instances
          .filter((i) => i.stack === s.stack.name)
          .map((i) => [
            escapeHtml(i.id),
            escapeHtml(i.service),
            escapeHtml(i.agent ?? '—'),
            `<span class="${i.state === 'running' ? 'ok' : 'bad'}">${escapeHtml(i.state)}</span>`,
            escapeHtml(i.url ?? '—'),
            escapeHtml(i.pid ?? '—'),
            escapeHtml(i.restarts),
            time(i.startedAt),
          ]),
        'No instances.',
      );
      return `<h3>${escapeHtml(s.stack.name)} <span class="muted">version ${escapeHtml(s.version.version)}</span></h3>\n${services}\n<h4>Instances</h4>\n${instances}`;
    })
    .join('\n');
  return layout(
    'Phoenix — status',
    `<h1>Phoenix</h1>
<p>Logged in as <strong>${escapeHtml(username)}</strong>.
<form class="inline" method="post" action="/api/auth/logout"><button type="submit">Log out</button></form></p>
<h2>Roles</h2>
${roles}
<h2>Stacks</h2>
${stacks || '<p class="muted">No stacks.</p>'}`,
  );
}
