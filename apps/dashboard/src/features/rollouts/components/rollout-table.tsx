import type { RolloutList } from '@tinymlops/contracts';
import { useNavigate } from 'react-router';
import { Pill } from '../../../components/pill';
import { shortTime } from '../../../lib/format-time';
import { currentWaveLabel, deployableLabel, STATE_TONE, targetLabel } from './rollout-format';

/** Every rollout: what, where, its state and wave, and why it halted; a row opens it. */
export function RolloutTable(props: { rollouts: RolloutList['items'] }) {
  const navigate = useNavigate();
  const open = (id: string) => navigate(`/rollouts/${id}`);
  return (
    <table className="table" aria-label="Rollouts">
      <thead>
        <tr>
          <th>Deploys</th>
          <th>Target</th>
          <th>State</th>
          <th>Wave</th>
          <th>Started</th>
          <th>Halt reason</th>
        </tr>
      </thead>
      <tbody>
        {props.rollouts.map((r) => (
          <tr
            key={r.id}
            className="clickable"
            tabIndex={0}
            onClick={() => open(r.id)}
            onKeyDown={(e) => e.key === 'Enter' && open(r.id)}
          >
            <td>
              <strong>{deployableLabel(r.plan, r.version)}</strong>
            </td>
            <td>{targetLabel(r.plan)}</td>
            <td>
              <Pill tone={STATE_TONE[r.state]}>{r.state}</Pill>
            </td>
            <td>{currentWaveLabel(r)}</td>
            <td>
              {shortTime(r.createdAt)}
              {r.createdBy ? <span className="muted small"> by {r.createdBy}</span> : null}
            </td>
            <td className="small">{r.haltReason ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
