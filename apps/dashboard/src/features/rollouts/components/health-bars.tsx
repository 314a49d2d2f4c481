import type { HealthSignal } from '@tinymlops/contracts';

const LABEL: Record<HealthSignal['signal'], { name: string; unit: string; lowIsBad?: boolean }> = {
  'install-failures': { name: 'Install failures', unit: 'share of the wave' },
  'drift-episodes': { name: 'Drift episodes', unit: 'per device-hour' },
  confidence: { name: 'Mean confidence', unit: '', lowIsBad: true },
  'knn-distance': { name: 'KNN distance', unit: 'geometric mean over devices' },
  'latency-p95': { name: 'Latency p95', unit: 'ms, geometric mean over devices' },
  restarts: { name: 'Restarts', unit: 'per device' },
};

const W = 320;
const H = 34;

/**
 * One signal as a bar: the wave's value (red when breached), the baseline as a grey tick and the
 * limit as a dashed line, on one scale, so a person sees at a glance how close it is.
 */
function SignalBar({ s }: { s: HealthSignal }) {
  const max = Math.max(s.candidate ?? 0, s.baseline ?? 0, s.limit ?? 0) * 1.15 || 1;
  const x = (v: number) => 8 + (v / max) * (W - 16);
  const tone = s.breached ? 'var(--bad)' : 'var(--ok)';
  const label = LABEL[s.signal];
  return (
    <svg width={W} height={H} role="img" aria-label={`${label.name} bar`}>
      <rect x={8} y={12} width={W - 16} height={10} fill="#eef1f5" rx={3} />
      {s.candidate !== null ? <rect x={8} y={12} width={x(s.candidate) - 8} height={10} fill={tone} rx={3} /> : null}
      {s.baseline !== null ? (
        <line x1={x(s.baseline)} x2={x(s.baseline)} y1={6} y2={28} stroke="#555" strokeWidth={2} />
      ) : null}
      {s.limit !== null ? (
        <line
          x1={x(s.limit)}
          x2={x(s.limit)}
          y1={2}
          y2={32}
          stroke="var(--bad)"
          strokeWidth={2}
          strokeDasharray="4 3"
          data-testid="limit-line"
        />
      ) : null}
    </svg>
  );
}

const show = (v: number | null | undefined) => (v === null || v === undefined ? '—' : String(v));

/** A wave's health against its baseline, one row per signal, with the limit drawn. */
export function HealthBars(props: { health: HealthSignal[]; wave: number }) {
  if (props.health.length === 0)
    return <p className="muted small">No health measured yet: the wave's devices have not reported.</p>;
  return (
    <table className="table" aria-label={`Health of wave ${props.wave + 1}`}>
      <thead>
        <tr>
          <th>Signal</th>
          <th>
            Wave · <span style={{ color: '#555' }}>| baseline</span> ·{' '}
            <span style={{ color: 'var(--bad)' }}>┆ limit</span>
          </th>
          <th>Wave</th>
          <th>Baseline</th>
          <th>Limit</th>
          <th>p</th>
          <th>Verdict</th>
        </tr>
      </thead>
      <tbody>
        {props.health.map((s) => (
          <tr key={s.signal} data-signal={s.signal} data-breached={s.breached}>
            <td>
              <strong>{LABEL[s.signal].name}</strong>
              <div className="muted small">{LABEL[s.signal].unit}</div>
            </td>
            <td>
              <SignalBar s={s} />
            </td>
            <td>{show(s.candidate)}</td>
            <td>{show(s.baseline)}</td>
            <td>
              {LABEL[s.signal].lowIsBad ? '≥ ' : '≤ '}
              {show(s.limit)}
            </td>
            <td className="small">{show(s.pValue)}</td>
            <td className="small">
              {s.breached ? (
                <strong style={{ color: 'var(--bad)' }}>breached</strong>
              ) : (
                <span className={s.note ? 'muted' : ''}>{s.note ?? 'within'}</span>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
