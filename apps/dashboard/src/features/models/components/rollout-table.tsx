import { Link } from 'react-router';
import { Pill } from '../../../components/pill';
import { QueryState } from '../../../components/query-state';
import { timeAgo } from '../../../lib/format-time';
import { useDeviceNames } from '../api/assignment-rules';
import { useDeployments } from '../api/get-deployments';

/**
 * Per device: the version it should run (and why), what it runs, and its last install report —
 * every device, assigned or not, so nothing running an old version hides.
 */
export function RolloutTable({ modelId }: { modelId: string | null }) {
  const query = useDeployments();
  const names = useDeviceNames();
  return (
    <QueryState
      query={query}
      isEmpty={(d) => d.items.length === 0}
      empty={{ title: 'No devices yet', hint: 'Enrol a device (Settings → enrolment tokens); it shows here.' }}
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
              .filter(
                (i) =>
                  !modelId || !i.assigned || i.assigned.modelId === modelId || i.running?.modelId === modelId,
              )
              .map((i) => (
                <tr key={i.deviceId}>
                  <td>
                    <Link to={`/devices/${i.deviceId}`} title={i.deviceId}>
                      {names.get(i.deviceId) ?? i.deviceId}
                    </Link>
                  </td>
                  <td>
                    {i.assigned ? (
                      `${i.assigned.modelId}@${i.assigned.version}`
                    ) : (
                      <span className="muted">unassigned</span>
                    )}
                  </td>
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
                    {!i.assigned ? (
                      <Pill tone="neutral">unassigned</Pill>
                    ) : i.inSync ? (
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
