import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, api, setCsrfToken } from '../api';

/** The login form. A failed login says why (wrong credentials, or throttled with the wait). */
export function Login({ onLoggedIn }: { onLoggedIn: () => void }) {
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    document.title = 'Log in · Phoenix';
    passwordRef.current?.focus();
  }, []);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const r = await api<{ csrfToken: string }>('POST', '/api/auth/login', { username, password }, { quiet401: true });
      setCsrfToken(r.csrfToken);
      onLoggedIn();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err));
      setPassword('');
      passwordRef.current?.focus();
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form onSubmit={(e) => void submit(e)} className="card" aria-labelledby="login-title">
        <h1 id="login-title">
          <img src="/favicon.svg" alt="" width="28" height="28" /> Phoenix
        </h1>
        <p className="muted">Deploy, scale and watch your Qdrant service.</p>
        {error ? (
          <div className="notice notice-bad" role="alert">
            {error}
          </div>
        ) : null}
        <label>
          Username
          <input name="username" autoComplete="username" required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label>
          Password
          <input ref={passwordRef} name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
