import { useEffect, useRef, type ReactNode } from 'react';
import type { Me, Role } from '../api';
import { Link, useRouter } from '../router';
import { can } from './ui';

const NAV: Array<{ to: string; label: string; role: Role }> = [
  { to: '/', label: 'Dashboard', role: 'viewer' },
  { to: '/environments', label: 'Environments', role: 'viewer' },
  { to: '/stacks', label: 'Stacks', role: 'viewer' },
  { to: '/instances', label: 'Instances', role: 'viewer' },
  { to: '/monitoring', label: 'Metrics', role: 'viewer' },
  { to: '/router', label: 'Router', role: 'viewer' },
  { to: '/certificates', label: 'Certificates', role: 'viewer' },
  { to: '/api-keys', label: 'API keys', role: 'viewer' },
  { to: '/users', label: 'Users', role: 'admin' },
  { to: '/audit', label: 'Audit log', role: 'admin' },
];

/** The frame of every page: skip link, header with the user, navigation, and the page itself. */
export function Layout({ me, onLogout, children }: { me: Me; onLogout: () => void; children: ReactNode }) {
  const { path } = useRouter();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After navigating, focus moves to the new page's heading (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = main.current?.querySelector<HTMLElement>('#page-title');
    heading?.focus({ preventScroll: true });
  }, [path]);
  const current = (to: string) => (to === '/' ? path === '/' : path === to || path.startsWith(`${to}/`) || path.startsWith(`${to}?`));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand" aria-label="Phoenix console, dashboard">
          <img src="/favicon.svg" alt="" width="24" height="24" /> Phoenix
        </Link>
        <span className="muted small">
          hub “{me.hub.name}” · Phoenix {me.hub.version} · {me.hub.trustDomain}
        </span>
        <div className="user">
          <span>
            <strong data-testid="current-user">{me.username}</strong> <span className={`role role-${me.role}`}>{me.role}</span>
          </span>
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label="Main">
        <ul>
          {NAV.filter((n) => can(me.role, n.role)).map((n) => (
            <li key={n.to}>
              <Link to={n.to} aria-current={current(n.to) ? 'page' : undefined}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
