import { ROLLOUT_ACTION_STATES, type RolloutAction, type RolloutView } from '@tinymlops/contracts';
import { useState } from 'react';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useRolloutAction } from '../api/rollout-actions';

type Action = RolloutAction['action'];

const WHAT: Record<Action, { label: string; confirm: string; danger?: boolean }> = {
  pause: { label: 'Pause', confirm: 'Stop stepping: no promotion, no halt, until resumed.' },
  resume: { label: 'Resume', confirm: 'Step again: the current wave is judged and promoted after its soak.' },
  promote: { label: 'Promote', confirm: 'Start the next wave now, skipping the rest of the soak.' },
  abort: {
    label: 'Abort',
    confirm: 'Stop here for good: devices keep what they have now.',
    danger: true,
  },
  rollback: {
    label: 'Roll back',
    confirm: 'Send every device this rollout reached back to what it ran before.',
    danger: true,
  },
};

/**
 * The operator's controls: only the actions the rollout's state allows, each confirmed with an
 * optional reason that goes into the audit trail.
 */
export function RolloutControls(props: { rollout: RolloutView }) {
  const can = usePermission('engineer');
  const act = useRolloutAction(props.rollout.id);
  const [pending, setPending] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const allowed = (Object.keys(WHAT) as Action[]).filter((a) => ROLLOUT_ACTION_STATES[a].includes(props.rollout.state));
  if (allowed.length === 0) return <p className="muted small">The rollout is {props.rollout.state}: nothing to do.</p>;
  return (
    <div className="stack" style={{ gap: 8 }}>
      <PermissionNote role="engineer" />
      <div className="row" role="group" aria-label="Rollout controls">
        {allowed.map((a) => (
          <button
            key={a}
            type="button"
            className={WHAT[a].danger ? 'danger' : undefined}
            disabled={!can.allowed || act.isPending}
            title={can.reason}
            onClick={() => {
              setPending(a);
              setReason('');
            }}
          >
            {WHAT[a].label}
          </button>
        ))}
      </div>
      {pending ? (
        <form
          className="notice"
          role="dialog"
          aria-label={`Confirm ${WHAT[pending].label.toLowerCase()}`}
          onSubmit={(e) => {
            e.preventDefault();
            act.mutate({ action: pending, ...(reason.trim() ? { reason: reason.trim() } : {}) });
            setPending(null);
          }}
        >
          <p style={{ marginTop: 0 }}>
            <strong>{WHAT[pending].label} this rollout?</strong> {WHAT[pending].confirm}
          </p>
          <div className="row" style={{ alignItems: 'flex-end' }}>
            <label>
              Reason (audited)
              <input
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={500}
                style={{ width: 320 }}
              />
            </label>
            <button type="submit" className={WHAT[pending].danger ? 'danger' : 'primary'}>
              Confirm {WHAT[pending].label.toLowerCase()}
            </button>
            <button type="button" onClick={() => setPending(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {act.isError ? (
        <p className="notice bad" role="alert">
          The server refused: {act.error.message}
        </p>
      ) : null}
    </div>
  );
}
