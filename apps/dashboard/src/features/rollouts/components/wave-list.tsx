import type { RolloutView } from '@tinymlops/contracts';
import { Pill, type Tone } from '../../../components/pill';
import { shortTime } from '../../../lib/format-time';
import { HealthBars } from './health-bars';
import { waveLabel } from './rollout-format';

type Wave = RolloutView['waves'][number];

const DEVICE_TONE: Record<Wave['devices'][number]['state'], Tone> = {
  assigned: 'info',
  installed: 'ok',
  failed: 'bad',
  'rolled-back': 'warn',
};

function waveState(r: RolloutView, w: Wave): { label: string; tone: Tone } {
  if (w.completedAt) return { label: 'passed', tone: 'ok' };
  if (!w.startedAt) return { label: 'not started', tone: 'neutral' };
  if (w.index === r.currentWave && r.state === 'halted') return { label: 'halted', tone: 'bad' };
  if (w.index === r.currentWave && r.state === 'running') return { label: 'soaking', tone: 'info' };
  return { label: r.state, tone: 'neutral' };
}

/** What a device of the wave runs now: the deployable once installed, else what it had. */
function runningOn(r: RolloutView, d: Wave['devices'][number], running: ReadonlyMap<string, string>) {
  if (r.plan.deployable.kind === 'model') return running.get(d.deviceId) ?? '—';
  const mine = `${r.plan.deployable.configId}@${r.plan.deployable.version}`;
  return d.state === 'installed' ? mine : (d.previous ?? 'device.json');
}

/** One wave: size and soak, its devices and their state, and its health against the baseline. */
function WavePanel(props: { r: RolloutView; w: Wave; running: ReadonlyMap<string, string> }) {
  const { r, w } = props;
  const s = waveState(r, w);
  const planned = r.plan.waves[w.index];
  // No device-level assignment before: its group's or tag's rule (or device.json) applies again.
  const before = r.plan.deployable.kind === 'model' ? 'group/tag rule' : 'device.json';
  return (
    <section className="panel stack" aria-label={`Wave ${w.index + 1}`} data-wave={w.index}>
      <div className="spread">
        <h3 style={{ margin: 0 }}>
          Wave {w.index + 1} · {planned ? waveLabel(planned) : ''} → {w.plannedDevices} devices
        </h3>
        <Pill tone={s.tone}>{s.label}</Pill>
      </div>
      <p className="muted small">
        {w.startedAt ? `started ${shortTime(w.startedAt)}` : 'waits for the waves before it'}
        {w.soakUntil ? ` · soak until ${shortTime(w.soakUntil)}` : ''}
        {w.completedAt ? ` · passed ${shortTime(w.completedAt)}` : ''} · {w.deviceHours.toFixed(3)} device-hours on the
        new version
      </p>
      {w.devices.length ? (
        <table className="table" aria-label={`Devices of wave ${w.index + 1}`}>
          <thead>
            <tr>
              <th>Device</th>
              <th>State</th>
              <th>Runs</th>
              <th>Before</th>
              <th>Report</th>
            </tr>
          </thead>
          <tbody>
            {w.devices.map((d) => (
              <tr key={d.deviceId}>
                <td>
                  {d.name} <span className="muted small mono">{d.deviceId}</span>
                </td>
                <td>
                  <Pill tone={DEVICE_TONE[d.state]}>{d.state}</Pill>
                </td>
                <td className="mono small">{runningOn(r, d, props.running)}</td>
                <td className="mono small">{d.previous ?? before}</td>
                <td className="small">{d.message ?? <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {w.startedAt ? <HealthBars health={w.health} wave={w.index} /> : null}
    </section>
  );
}

/** Every wave of a rollout, first to last. */
export function WaveList(props: { rollout: RolloutView; running: ReadonlyMap<string, string> }) {
  return (
    <div className="stack">
      {props.rollout.waves.map((w) => (
        <WavePanel key={w.index} r={props.rollout} w={w} running={props.running} />
      ))}
    </div>
  );
}
