import { Link } from 'react-router';
import { Pill } from '../../../components/pill';
import { QueryState } from '../../../components/query-state';
import { timeAgo } from '../../../lib/format-time';
import { useFeedbackStatus } from '../api/get-feedback-status';

/** Per device: how much validation feedback the server issued and how much the device acknowledged. */
export function FeedbackStatusTable() {
  const query = useFeedbackStatus();
  return (
    <section className="panel" aria-labelledby="feedback-title">
      <h2 id="feedback-title">Feedback delivery</h2>
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={{
          title: 'No feedback issued yet',
          hint: 'Validate drift samples; each decision is queued for its device.',
        }}
      >
        {(d) => (
          <table className="table" aria-label="Feedback delivery per device">
            <thead>
              <tr>
                <th>Device</th>
                <th>Issued</th>
                <th>Acknowledged</th>
                <th>Waiting</th>
                <th>Last validation</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((f) => {
                const waiting = f.issued - f.acknowledged;
                return (
                  <tr key={f.deviceId}>
                    <td>
                      <Link to={`/devices/${f.deviceId}`}>{f.name}</Link>
                    </td>
                    <td>{f.issued}</td>
                    <td>{f.acknowledged}</td>
                    <td>
                      {waiting > 0 ? <Pill tone="warn">{waiting} queued</Pill> : <Pill tone="ok">delivered</Pill>}
                    </td>
                    <td className="muted">{timeAgo(f.lastValidatedAt)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </QueryState>
    </section>
  );
}
