import { Link } from 'react-router';
import { Pill } from '../../../components/pill';
import { QueryState } from '../../../components/query-state';
import { timeAgo } from '../../../lib/format-time';
import { useDeployments } from '../api/get-deployments';

/** Per device: the version it should run (and why), what it runs, and its last install report. */
export function RolloutTable({ modelId }: { modelId: string | null }) {
  const query = useDeployments();
  return (
    <QueryState
      query={query}
      isEmpty={(d) => d.items.every((i) => !i.assigned)}
      empty={{ title: 'Nothing deployed yet', hint: 'Deploy a version above to a device, a tag or a group.' }}
    >
      {(d) => (
        <table className="table" aria-label="Rollout status">
          <thead>
            <tr>
              <th>Device</th>
              <th>Assigned</th>
              <th>Via</th>
              <th>Running</th>
              <th>Last report</th>
              <th>State</th>
            </tr>
          </thead>
          <tbody>
            {d.items
              .filter((i) => i.assigned && (!modelId || i.assigned.modelId === modelId))
              .map((i) => (
                <tr key={i.deviceId}>
                  <td>
                    <Link to={`/devices/${i.deviceId}`} className="mono">
                      {i.deviceId}
                    </Link>
                  </td>
                  <td>{i.assigned ? `${i.assigned.modelId}@${i.assigned.version}` : '—'}</td>
                  <td className="muted">{i.assigned?.via}</td>
                  <td>
                    {i.running ? `${i.running.modelId}@${i.running.version}` : <span className="muted">none</span>}
                  </td>
                  <td className="muted">
                    {i.lastReport
                      ? `${i.lastReport.status} ${i.lastReport.version}, ${timeAgo(i.lastReport.at)}`
                      : 'no report'}
                  </td>
                  <td>
                    {i.inSync ? (
                      <Pill tone="ok">in sync</Pill>
                    ) : i.lastReport?.status === 'failed' || i.lastReport?.status === 'rolled-back' ? (
                      <Pill tone="bad">{i.lastReport.status}</Pill>
                    ) : (
                      <Pill tone="warn">pending install</Pill>
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}
