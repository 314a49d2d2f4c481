import type { RolloutAuditEntry } from '@tinymlops/contracts';
import { shortTime } from '../../../lib/format-time';

/** Every audited state change of a rollout, oldest first: who, what, from and to, and why. */
export function AuditTrail(props: { items: RolloutAuditEntry[] }) {
  return (
    <table className="table" aria-label="Audit trail">
      <thead>
        <tr>
          <th>When</th>
          <th>Who</th>
          <th>Action</th>
          <th>State</th>
          <th>Wave</th>
          <th>Reason</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((a) => (
          <tr key={a.seq} data-action={a.action}>
            <td className="small">{shortTime(a.at)}</td>
            <td>{a.actor}</td>
            <td>
              <strong>{a.action}</strong>
            </td>
            <td className="small">
              {a.fromState ?? '—'} → {a.toState}
            </td>
            <td>{a.wave + 1}</td>
            <td className="small">{a.reason ?? <span className="muted">—</span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
