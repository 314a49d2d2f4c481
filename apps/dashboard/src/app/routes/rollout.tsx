import { Link, useParams } from 'react-router';
import { PageHeader } from '../../components/page-header';
import { Pill } from '../../components/pill';
import { QueryState } from '../../components/query-state';
import { useDeployments } from '../../features/models/api/get-deployments';
import { useRollout, useRolloutAudit } from '../../features/rollouts/api/get-rollouts';
import { AuditTrail } from '../../features/rollouts/components/audit-trail';
import { RolloutControls } from '../../features/rollouts/components/rollout-controls';
import {
  currentWaveLabel,
  deployableLabel,
  STATE_TONE,
  targetLabel,
} from '../../features/rollouts/components/rollout-format';
import { WaveList } from '../../features/rollouts/components/wave-list';
import { shortTime } from '../../lib/format-time';

/** One rollout: state and halt reason, the controls, every wave with its devices and health, the audit trail. */
export function RolloutRoute() {
  const id = useParams().rolloutId ?? '';
  const rollout = useRollout(id);
  const audit = useRolloutAudit(id);
  const running = new Map(
    (useDeployments().data?.items ?? []).flatMap((d) =>
      d.running ? [[d.deviceId, `${d.running.modelId}@${d.running.version}`] as const] : [],
    ),
  );
  return (
    <QueryState query={rollout}>
      {(r) => (
        <>
          <PageHeader
            title={`Rollout of ${deployableLabel(r.plan, r.version)}`}
            description={
              <>
                To {targetLabel(r.plan)} · {currentWaveLabel(r)} · soak {Math.round(r.plan.soakSeconds / 60)} min per
                wave · started {shortTime(r.createdAt)}
                {r.createdBy ? ` by ${r.createdBy}` : ''} · <Link to="/rollouts">all rollouts</Link>
              </>
            }
            actions={<Pill tone={STATE_TONE[r.state]}>{r.state}</Pill>}
          />
          {r.haltReason ? (
            <p className="notice bad" role="alert" aria-label="Halt reason">
              <strong>Halted:</strong> {r.haltReason}
              {r.plan.rollbackOnHalt ? ' — the wave was rolled back.' : ' — devices keep the new version.'}
            </p>
          ) : null}
          <section className="panel" style={{ marginBottom: 16 }}>
            <h2>Controls</h2>
            <RolloutControls rollout={r} />
          </section>
          <WaveList rollout={r} running={running} />
          <section className="panel" style={{ marginTop: 16 }}>
            <h2>Audit trail</h2>
            <QueryState query={audit}>{(a) => <AuditTrail items={a.items} />}</QueryState>
          </section>
        </>
      )}
    </QueryState>
  );
}
