import { useQueryClient } from '@tanstack/react-query';
import { Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { useSession, useToken } from '../lib/auth';
import { writeToken } from '../lib/session-token';

const NAV = [
  { to: '/', label: 'Overview', end: true },
  { to: '/drift', label: 'Drift' },
  { to: '/devices', label: 'Devices' },
  { to: '/models', label: 'Models' },
  { to: '/settings', label: 'Settings' },
];

/** The signed-in frame: sidebar navigation, who is signed in, and the page. */
export function Layout() {
  const token = useToken();
  const session = useSession();
  const location = useLocation();
  const qc = useQueryClient();
  if (!token) return <Navigate to="/login" replace state={{ from: location.pathname }} />;
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
