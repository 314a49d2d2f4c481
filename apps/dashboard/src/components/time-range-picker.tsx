import { TIME_RANGES, type TimeRange } from '../lib/time-range';

/** Buttons choosing the time range of a page's charts (1 h … 30 d). */
export function TimeRangePicker(props: { value: TimeRange['key']; onChange: (key: TimeRange['key']) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Time range">
      {TIME_RANGES.map((r) => (
        <button
          key={r.key}
          type="button"
          aria-pressed={r.key === props.value}
          className={r.key === props.value ? 'active' : ''}
          onClick={() => props.onChange(r.key)}
        >
          {r.label}
        </button>
      ))}
    </div>
  );
}
