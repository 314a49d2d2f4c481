import type { DriftRateSeries } from '@tinymlops/contracts';
import { Link } from 'react-router';
import type { TimeRange } from '../../../lib/time-range';

/** Devices by drift episodes started in the range (most first), with the rate per day. */
export function DriftByDevice({ rates, range }: { rates: DriftRateSeries; range: TimeRange }) {
  const byDevice = new Map<string, number>();
  for (const p of rates.points) byDevice.set(p.key, (byDevice.get(p.key) ?? 0) + p.episodes);
  const rows = [...byDevice.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  const days = range.seconds / 86_400;
  return (
    <section className="panel" aria-labelledby="drift-device-title">
      <h2 id="drift-device-title">Drift rate per device · last {range.label}</h2>
      {rows.length === 0 ? (
        <p className="muted small">No device started a drift episode in this range.</p>
      ) : (
        <table className="table" aria-label="Drift rate per device">
          <thead>
            <tr>
              <th>Device</th>
              <th>Episodes</th>
              <th>Per day</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(([id, n]) => (
              <tr key={id}>
                <td>
                  <Link to={`/devices/${id}`} title={id}>
                    {rates.labels?.[id] ?? id}
                  </Link>
                </td>
                <td>{n}</td>
                <td>{(n / days).toFixed(days < 1 ? 0 : 1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
