import { useCallback, useEffect, useState, type ReactElement } from 'react';
import { api, setCsrfToken, whenUnauthenticated, type Me } from './api';
import { Layout } from './components/layout';
import { Login } from './pages/login';
import { RouterProvider, match, useRouter } from './router';
import { Dashboard } from './pages/dashboard';
import { Environments } from './pages/environments';
import { Stacks } from './pages/stacks';
import { StackPage } from './pages/stack';
import { Instances } from './pages/instances';
import { Logs } from './pages/logs';
import { Metrics } from './pages/metrics';
import { RouterView } from './pages/router-view';
import { Certificates } from './pages/certificates';
import { ApiKeys } from './pages/api-keys';
import { Users } from './pages/users';
import { Audit } from './pages/audit';
import { NotFound } from './pages/not-found';

/** The console: asks who is logged in, shows the login page or the page for the current path. */
export function App() {
  return (
    <RouterProvider>
      <Session />
    </RouterProvider>
  );
}

function Session() {
  const { navigate } = useRouter();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const refresh = useCallback(async () => {
    try {
      const who = await api<Me & { authenticated: boolean }>('GET', '/api/auth/session');
      setCsrfToken(who.authenticated ? who.csrfToken : null);
      setMe(who.authenticated ? who : null);
    } catch {
      setMe(null);
    }
  }, []);
  useEffect(() => {
    whenUnauthenticated(() => setMe(null));
    void refresh();
  }, [refresh]);
  if (me === undefined) return <p className="muted boot">Loading…</p>;
  if (me === null) return <Login onLoggedIn={() => void refresh()} />;
  const logout = async () => {
    await api('POST', '/api/auth/logout').catch(() => undefined);
    setCsrfToken(null);
    setMe(null);
    navigate('/');
  };
  return (
    <Layout me={me} onLogout={() => void logout()}>
      <Page me={me} />
    </Layout>
  );
}

function Page({ me }: { me: Me }) {
  const { path } = useRouter();
  const routes: Array<[string, (p: Record<string, string>) => ReactElement]> = [
    ['/', () => <Dashboard />],
    ['/environments', () => <Environments me={me} />],
    ['/stacks', () => <Stacks me={me} />],
    ['/stacks/new', () => <StackPage me={me} name={null} />],
    ['/stacks/:name', (p) => <StackPage me={me} name={p['name'] as string} />],
    ['/instances', () => <Instances me={me} />],
    ['/instances/:id/logs', (p) => <Logs me={me} id={p['id'] as string} />],
    ['/monitoring', () => <Metrics />],
    ['/router', () => <RouterView />],
    ['/certificates', () => <Certificates me={me} />],
    ['/api-keys', () => <ApiKeys me={me} />],
    ['/users', () => <Users me={me} />],
    ['/audit', () => <Audit me={me} />],
  ];
  for (const [pattern, render] of routes) {
    const params = match(pattern, path);
    if (params) return render(params);
  }
  return <NotFound />;
}
