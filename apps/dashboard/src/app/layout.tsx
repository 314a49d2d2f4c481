import { useQueryClient } from '@tanstack/react-query';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useSession, useToken } from '../lib/auth';
import { useLiveUpdates, type LiveState } from '../lib/live-updates';
import { writeToken } from '../lib/session-token';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/drift', label: 'Drift', end: true },
  { to: '/drift/queue', label: 'Review queue' },
  { to: '/devices', label: 'Devices' },
  { to: '/models', label: 'Models' },
  { to: '/rollouts', label: 'Rollouts' },
  { to: '/settings', label: 'Settings' },
];

/** Whether pages update by server-sent events or by polling. */
function LiveStatus({ live }: { live: LiveState }) {
  return (
    <div role="status" aria-label="Live updates" data-live-events={live.events}>
      <span className={`live-dot${live.connected ? ' on' : ''}`} aria-hidden="true" />
      {live.connected ? 'live' : 'polling every 5 s'}
    </div>
  );
}

/** The signed-in frame: sidebar navigation, who is signed in, live status, and the page. */
export function Layout() {
  const token = useToken();
  if (!token) return <SignedOut />;
  return <SignedIn />;
}

function SignedOut() {
  const location = useLocation();
  return <Navigate to="/login" replace state={{ from: location.pathname }} />;
}

function SignedIn() {
  const session = useSession();
  const qc = useQueryClient();
  const live = useLiveUpdates();
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">
          <span className="brand-dot" aria-hidden="true" /> TinySphere
        </div>
        {NAV.map((n) => (
          <NavLink key={n.to} to={n.to} end={n.end ?? false} className="nav-link">
            {n.label}
          </NavLink>
        ))}
        <div className="sidebar-foot">
          <LiveStatus live={live} />
          {session.data ? (
            <div>
              Signed in as <strong style={{ color: '#fff' }}>{session.data.name}</strong>
              <div>role: {session.data.role}</div>
            </div>
          ) : (
            <div>Checking token…</div>
          )}
          <button
            type="button"
            onClick={() => {
              writeToken(null);
              qc.clear();
            }}
          >
            Sign out
          </button>
        </div>
      </nav>
      <main className="main" id="main">
        <Outlet />
      </main>
    </div>
  );
}
