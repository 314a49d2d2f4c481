import { Pill } from '../../../components/pill';
import { QueryState } from '../../../components/query-state';
import { usePermission } from '../../../lib/auth';
import { timeAgo } from '../../../lib/format-time';
import { targetValue, useAssignmentRules, useRemoveRule } from '../api/assignment-rules';

/** Every assignment rule (newest first) with the devices it reaches now; engineers remove them. */
export function AssignmentRules({ modelId }: { modelId: string | null }) {
  const query = useAssignmentRules();
  const remove = useRemoveRule();
  const can = usePermission('engineer');
  return (
    <QueryState
      query={query}
      isEmpty={(d) => d.items.length === 0}
      empty={{ title: 'No assignment rules', hint: 'Deploying above creates one per device, tag or group.' }}
    >
      {(d) => (
        <table className="table" aria-label="Assignment rules">
          <thead>
            <tr>
              <th>Target</th>
              <th>Version</th>
              <th>Matches</th>
              <th>Assigned</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {d.items
              .filter((r) => !modelId || r.modelId === modelId)
              .map((r) => {
                const name = `${r.target.kind} ${targetValue(r.target)}`;
                return (
                  <tr key={name}>
                    <td>{name}</td>
                    <td>
                      {r.modelId}@{r.version}
                    </td>
                    <td>
                      {r.matchedDevices === 0 ? (
                        <Pill tone="warn">no device</Pill>
                      ) : (
                        `${r.matchedDevices} device${r.matchedDevices === 1 ? '' : 's'}`
                      )}
                    </td>
                    <td className="muted">{timeAgo(r.assignedAt)}</td>
                    <td>
                      <button
                        type="button"
                        className="danger"
                        aria-label={`Remove rule ${name}`}
                        disabled={!can.allowed || remove.isPending}
                        title={can.reason}
                        onClick={() => {
                          if (window.confirm(`Remove the rule for ${name}? Its devices keep what they run.`))
                            remove.mutate(r.target);
                        }}
                      >
                        Remove
                      </button>
                    </td>
                  </tr>
                );
              })}
          </tbody>
        </table>
      )}
    </QueryState>
  );
}
