import type { AdaptationReview } from '@tinymlops/contracts';
import { DeliveryPill } from '../../feedback/components/delivery-pill';

/** A person's verdict on an adaptation and, for a revert or relabel, what the device did with it. */
export function ReviewState(props: { review: AdaptationReview | null }) {
  const r = props.review;
  if (!r) return null;
  return (
    <div className="small">
      {r.decision}
      {r.label ? ` as ${r.label}` : ''} by {r.by}
      {r.delivery ? (
        <>
          {' · device: '}
          <DeliveryPill status={r.delivery.status} reason={r.delivery.reason} />
        </>
      ) : null}
    </div>
  );
}
