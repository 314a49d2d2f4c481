import { Link } from 'react-router';
import { Pill } from '../../../components/pill';
import { QueryState } from '../../../components/query-state';
import { timeAgo } from '../../../lib/format-time';
import { useFeedbackStatus } from '../api/get-feedback-status';

/**
 * Per device: what the server sent (labels, shared labels, reverts, settings) and what the device
 * did with it. "Applied" counts only what the device reported applied; an older device's bare
 * acknowledgement shows as "acknowledged".
 */
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
                <th>Applied</th>
                <th>Merged</th>
                <th>Rejected</th>
                <th>Waiting</th>
                <th>Last sent</th>
              </tr>
            </thead>
            <tbody>
              {d.items.map((f) => {
                const waiting = f.byStatus.queued;
                const unreported = f.byStatus.acknowledged;
                return (
                  <tr key={f.deviceId}>
                    <td>
                      <Link to={`/devices/${f.deviceId}`}>{f.name}</Link>
                    </td>
                    <td>{f.issued}</td>
                    <td>{f.byStatus.applied}</td>
                    <td>{f.byStatus.merged}</td>
                    <td>{f.byStatus.rejected ? <Pill tone="bad">{f.byStatus.rejected} rejected</Pill> : 0}</td>
                    <td>
                      {waiting > 0 ? <Pill tone="warn">{waiting} queued</Pill> : null}
                      {unreported > 0 ? (
                        <Pill tone="neutral" title="an older device acknowledged them without saying what it did">
                          {unreported} acknowledged
                        </Pill>
                      ) : null}
                      {waiting + unreported === 0 ? <Pill tone="ok">none</Pill> : null}
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
