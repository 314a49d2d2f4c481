import type { FleetOverview } from '@tinymlops/contracts';
import { Link } from 'react-router';
import { StatCard } from '../../../components/stat-card';

/** Online / stale / offline device counts with a proportion bar. */
export function FleetHealth({ devices }: { devices: FleetOverview['devices'] }) {
  const pct = (n: number) => `${devices.total ? (100 * n) / devices.total : 0}%`;
  return (
    <StatCard
      label="Fleet health"
      value={
        <>
          {devices.online}
          <span className="muted small"> / {devices.total} online</span>
        </>
      }
      foot={
        <span className="row">
          <span>
            <span className="legend-dot" style={{ background: 'var(--ok)' }} />
            {devices.online} online
          </span>
          <span>
            <span className="legend-dot" style={{ background: 'var(--warn)' }} />
            {devices.stale} stale
          </span>
          <span>
            <span className="legend-dot" style={{ background: '#aab3bf' }} />
            {devices.offline} offline
          </span>
          <Link to="/devices">All devices →</Link>
        </span>
      }
    >
      <div className="bar" aria-hidden="true">
        <span style={{ width: pct(devices.online), background: 'var(--ok)' }} />
        <span style={{ width: pct(devices.stale), background: 'var(--warn)' }} />
        <span style={{ width: pct(devices.offline), background: '#aab3bf' }} />
      </div>
    </StatCard>
  );
}
