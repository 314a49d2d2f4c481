import type { AdaptationSummary } from '@tinymlops/contracts';
import { useState } from 'react';
import { QueryState } from '../../../components/query-state';
import { usePermission } from '../../../lib/auth';
import { shortTime } from '../../../lib/format-time';
import { useAdaptations } from '../api/get-adaptations';
import { useReviewAdaptation } from '../api/review-adaptation';
import { ReviewState } from './review-state';

/**
 * A device's adaptation timeline (seed §4.3.2: adaptations made on the device, validated on the
 * server): every step with its label, samples and state versions, newest first; an engineer
 * accepts, relabels or reverts the steps that changed the model, and sees what the device did.
 */
export function AdaptationTimeline(props: { deviceId: string }) {
  const query = useAdaptations(props.deviceId);
  return (
    <section className="panel" aria-labelledby="adaptations-title">
      <h2 id="adaptations-title">Adaptations</h2>
      <QueryState
        query={query}
        isEmpty={(d) => d.items.length === 0}
        empty={{
          title: 'No adaptations yet',
          hint: 'A server-assisted device adapts when you validate its drift samples; an autonomous one on its own.',
        }}
      >
        {(d) => (
          <>
            <p className="muted small">
              State versions uploaded: {d.stateVersions.map((v) => v.stateVersion).join(', ') || 'none yet'}
            </p>
            <table className="table" aria-label="Adaptation timeline">
              <thead>
                <tr>
                  <th>When</th>
                  <th>What</th>
                  <th>Samples</th>
                  <th>State</th>
                  <th>Why</th>
                  <th>Review</th>
                </tr>
              </thead>
              <tbody>
                {d.items.map((a) => (
                  <AdaptationRow key={a.seq} deviceId={props.deviceId} a={a} />
                ))}
              </tbody>
            </table>
          </>
        )}
      </QueryState>
    </section>
  );
}

function AdaptationRow(props: { deviceId: string; a: AdaptationSummary }) {
  const { a } = props;
  const can = usePermission('engineer');
  const review = useReviewAdaptation(props.deviceId);
  const [label, setLabel] = useState('');
  const open = a.reviewable && a.review?.decision !== 'reverted';
  const off = !can.allowed || review.isPending;
  const send = (body: Parameters<typeof review.mutate>[0]['body']) => review.mutate({ seq: a.seq, body });
  return (
    <tr data-seq={a.seq} aria-label={`Adaptation ${a.seq}: ${a.action}${a.label ? ` ${a.label}` : ''}`}>
      <td className="muted">{shortTime(a.at)}</td>
      <td>
        {a.action}
        {a.label ? <strong> {a.label}</strong> : null}
      </td>
      <td>{a.samples}</td>
      <td className="mono small">
        {a.stateVersionBefore} → {a.stateVersionAfter}
      </td>
      <td className="small">{a.reason}</td>
      <td>
        <ReviewState review={a.review} />
        {open ? (
          <div className="row" style={{ gap: 4 }}>
            <button disabled={off} onClick={() => send({ decision: 'accept' })}>
              Accept
            </button>
            <input
              aria-label={`New label for adaptation ${a.seq}`}
              value={label}
              onChange={(e) => setLabel(e.target.value)}
              placeholder="label"
              maxLength={64}
              disabled={off}
              style={{ width: 90 }}
            />
            <button disabled={off || !label.trim()} onClick={() => send({ decision: 'relabel', label: label.trim() })}>
              Relabel
            </button>
            <button
              className="danger"
              disabled={off}
              onClick={() =>
                window.confirm(`Revert adaptation ${a.seq} on the device?`) && send({ decision: 'revert' })
              }
            >
              Revert
            </button>
          </div>
        ) : null}
        {review.isError ? <p className="notice bad">{review.error.message}</p> : null}
      </td>
    </tr>
  );
}
