import { useQueryClient } from '@tanstack/react-query';
import { SessionInfo } from '@tinymlops/contracts';
import { useState } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { apiGet } from '../../lib/api-client';
import { useToken } from '../../lib/auth';
import { writeToken } from '../../lib/session-token';

/** Sign in with an API token; it is kept in this tab's sessionStorage only. */
export function LoginRoute() {
  const token = useToken();
  const navigate = useNavigate();
  const location = useLocation();
  const qc = useQueryClient();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  if (token && !busy) return <Navigate to={from} replace />;
  const submit = async () => {
    setBusy(true);
    setError(null);
    writeToken(value.trim());
    try {
      const session = await apiGet('/api/v1/session', SessionInfo);
      qc.setQueryData(['session', value.trim()], session);
      navigate(from, { replace: true });
    } catch (e) {
      writeToken(null);
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login">
      <form
        className="panel"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="brand" style={{ color: 'var(--ink)', padding: 0 }}>
          <span className="brand-dot" aria-hidden="true" /> TinySphere
        </div>
        <p className="muted" style={{ margin: 0 }}>
          Sign in with an API token (<code>tap_…</code>). An admin creates tokens under Settings; the token stays in
          this browser tab only.
        </p>
        <label>
          API token
          <input
            type="password"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="tap_…"
            autoComplete="off"
            autoFocus
            required
          />
        </label>
        {error ? (
          <p className="notice bad" role="alert">
            {error}
          </p>
        ) : null}
        <button type="submit" className="primary" disabled={busy || !value.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </div>
  );
}
