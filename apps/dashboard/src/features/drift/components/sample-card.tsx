import type { DriftSampleSummary } from '@tinymlops/contracts';
import { AuthImage } from '../../../components/auth-image';
import { Pill } from '../../../components/pill';
import { DeliveryPill } from '../../feedback/components/delivery-pill';

const STATUS_TONE = { pending: 'warn', labelled: 'ok', 'false-alarm': 'neutral', rejected: 'bad' } as const;

/** One drift sample in the review grid: image, prediction, status, selection checkbox. */
export function SampleCard(props: {
  sample: DriftSampleSummary;
  focused: boolean;
  checked: boolean;
  deviceName?: string | undefined;
  onFocus: () => void;
  onToggle: () => void;
}) {
  const s = props.sample;
  const pending = s.status === 'pending';
  return (
    <div
      className={`sample${props.focused ? ' focused' : ''}${props.checked ? ' checked' : ''}`}
      onClick={props.onFocus}
      data-sample-id={s.sampleId}
      aria-current={props.focused ? 'true' : undefined}
    >
      {s.hasImage ? (
        <AuthImage path={`/api/v1/drift/samples/${s.deviceId}/${s.sampleId}/image`} alt={`Sample ${s.sampleId}`} />
      ) : (
        <div className="thumb">no image</div>
      )}
      <div className="spread small">
        <span title="predicted label">
          {s.predictedLabel} <span className="muted">{Math.round(s.confidence * 100)}%</span>
        </span>
        <input
          type="checkbox"
          aria-label={`Select sample ${s.sampleId}`}
          checked={props.checked}
          disabled={!pending}
          onClick={(e) => e.stopPropagation()}
          onChange={props.onToggle}
        />
      </div>
      {props.deviceName ? <div className="small muted">{props.deviceName}</div> : null}
      <div className="row" style={{ gap: 4 }}>
        <Pill tone={STATUS_TONE[s.status]}>{s.status === 'labelled' ? `labelled: ${s.label ?? ''}` : s.status}</Pill>
        {s.delivery ? <DeliveryPill status={s.delivery.status} reason={s.delivery.reason} /> : null}
      </div>
    </div>
  );
}
