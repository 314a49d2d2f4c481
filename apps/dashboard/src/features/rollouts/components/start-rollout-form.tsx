import {
  DEFAULT_WAVES,
  RolloutThresholds,
  type RolloutDeployable,
  type RolloutRequest,
  type RolloutTarget,
} from '@tinymlops/contracts';
import { useState } from 'react';
import { Link } from 'react-router';
import type { z } from 'zod';
import { PermissionNote } from '../../../components/permission-note';
import { usePermission } from '../../../lib/auth';
import { useStartRollout } from '../api/rollout-actions';
import { formatWaves, parseWaves } from './wave-input';

type Thresholds = z.output<typeof RolloutThresholds>;
const DEFAULTS: Thresholds = RolloutThresholds.parse({});

/** The thresholds a person tunes most; the rest keep their defaults (see docs/deployments.md). */
const FIELDS: { key: keyof Thresholds; label: string; step: number }[] = [
  { key: 'maxInstallFailureRate', label: 'Max install failure share', step: 0.01 },
  { key: 'maxDriftRateRatio', label: 'Drift episode rate × baseline', step: 0.1 },
  { key: 'driftRateSlack', label: '+ episodes per device-hour', step: 0.5 },
  { key: 'maxConfidenceDrop', label: 'Max confidence drop', step: 0.01 },
  { key: 'maxKnnDistanceRatio', label: 'KNN distance × baseline', step: 0.1 },
  { key: 'maxLatencyP95Ratio', label: 'Latency p95 × baseline', step: 0.1 },
  { key: 'maxRestartsPerDevice', label: 'Restarts per device', step: 1 },
  { key: 'minDeviceHours', label: 'Judge rates after device-hours', step: 0.5 },
  { key: 'significance', label: 'Significance level', step: 0.005 },
];

function TargetFields(props: { value: RolloutTarget; onChange: (t: RolloutTarget) => void; disabled: boolean }) {
  const t = props.value;
  const name = t.kind === 'tag' ? t.tag : t.kind === 'group' ? t.group : '';
  const set = (kind: RolloutTarget['kind'], v: string) =>
    props.onChange(kind === 'all' ? { kind } : kind === 'tag' ? { kind, tag: v } : { kind, group: v });
  return (
    <>
      <label>
        Target
        <select
          aria-label="Rollout target"
          value={t.kind}
          onChange={(e) => set(e.target.value as RolloutTarget['kind'], name)}
          disabled={props.disabled}
        >
          <option value="all">every device</option>
          <option value="tag">tag</option>
          <option value="group">group</option>
        </select>
      </label>
      {t.kind !== 'all' ? (
        <label>
          {t.kind === 'tag' ? 'Tag' : 'Group'}
          <input
            aria-label="Target name"
            value={name}
            onChange={(e) => set(t.kind, e.target.value)}
            disabled={props.disabled}
          />
        </label>
      ) : null}
    </>
  );
}

/**
 * Starts a staged rollout of a model version (or alias) or a configuration version: target,
 * waves, soak, the health thresholds with their defaults filled in, and what happens on a halt.
 * The server checks the whole plan; its message is shown when it refuses.
 */
export function StartRolloutForm(props: { choices: { label: string; deployable: RolloutDeployable }[] }) {
  const can = usePermission('engineer');
  const start = useStartRollout();
  const [pick, setPick] = useState(0);
  const [target, setTarget] = useState<RolloutTarget>({ kind: 'all' });
  const [waves, setWaves] = useState(formatWaves(DEFAULT_WAVES));
  const [soakMinutes, setSoakMinutes] = useState(60);
  const [thresholds, setThresholds] = useState<Thresholds>(DEFAULTS);
  const [rollbackOnHalt, setRollback] = useState(true);
  const [autoPromote, setAutoPromote] = useState(true);
  const parsed = parseWaves(waves);
  const chosen = props.choices[pick];
  const off = !can.allowed;
  const submit = () => {
    if (!chosen || !parsed) return;
    const body: z.input<typeof RolloutRequest> = {
      deployable: chosen.deployable,
      target,
      waves: parsed,
      soakSeconds: Math.round(soakMinutes * 60),
      thresholds,
      rollbackOnHalt,
      autoPromote,
    };
    start.mutate(body);
  };
  return (
    <form
      className="stack"
      style={{ gap: 10 }}
      aria-label="Start a rollout"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <PermissionNote role="engineer" />
      <div className="row" style={{ alignItems: 'flex-end', flexWrap: 'wrap' }}>
        <label>
          Deploy
          <select
            aria-label="Rollout deployable"
            value={pick}
            onChange={(e) => setPick(Number(e.target.value))}
            disabled={off}
          >
            {props.choices.map((c, i) => (
              <option key={c.label} value={i}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <TargetFields value={target} onChange={setTarget} disabled={off} />
        <label>
          Waves (devices or %)
          <input
            aria-label="Waves"
            aria-invalid={!parsed}
            value={waves}
            onChange={(e) => setWaves(e.target.value)}
            disabled={off}
          />
        </label>
        <label>
          Soak per wave (minutes)
          <input
            aria-label="Soak minutes"
            type="number"
            min={0}
            step="any"
            value={soakMinutes}
            onChange={(e) => setSoakMinutes(Number(e.target.value))}
            disabled={off}
            style={{ width: 90 }}
          />
        </label>
      </div>
      {!parsed ? (
        <p className="notice bad small" role="alert">
          Waves are a comma-separated list of device counts (3) or shares of the target (10%).
        </p>
      ) : null}
      <details>
        <summary>Health thresholds (defaults filled in)</summary>
        <div className="row" style={{ flexWrap: 'wrap', marginTop: 8 }}>
          {FIELDS.map((f) => (
            <label key={f.key}>
              {f.label}
              <input
                type="number"
                step={f.step}
                value={thresholds[f.key]}
                onChange={(e) => setThresholds({ ...thresholds, [f.key]: Number(e.target.value) })}
                disabled={off}
                style={{ width: 110 }}
              />
            </label>
          ))}
        </div>
      </details>
      <div className="row">
        <label className="row" style={{ gap: 6, flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={rollbackOnHalt} onChange={(e) => setRollback(e.target.checked)} />
          Roll the wave back when it halts
        </label>
        <label className="row" style={{ gap: 6, flexDirection: 'row', alignItems: 'center' }}>
          <input type="checkbox" checked={autoPromote} onChange={(e) => setAutoPromote(e.target.checked)} />
          Promote by itself after a healthy soak
        </label>
        <button type="submit" className="primary" disabled={off || !chosen || !parsed || start.isPending}>
          Start rollout
        </button>
      </div>
      {start.isSuccess && start.data ? (
        <p className="notice ok" role="status">
          Rollout started: <Link to={`/rollouts/${start.data.id}`}>wave 1 of {start.data.waves.length}</Link> with{' '}
          {start.data.waves[0]?.devices.length ?? 0} devices.
        </p>
      ) : null}
      {start.isError ? (
        <p className="notice bad" role="alert">
          The server refused the rollout: {start.error.message}
        </p>
      ) : null}
    </form>
  );
}
