import type { AdaptationEvent, FeedbackOutcomeReport, FeedbackOutcomeStatus } from '@tinymlops/contracts';

/** What the device did with one inbox item (the ack's report, before it gets its time). */
export interface InboxOutcome {
  feedbackId: string;
  cursor: number;
  status: FeedbackOutcomeStatus;
  reason?: string;
  /** The state version after the item, when it changed the model. */
  stateVersion?: number;
  /** Pending samples that joined the item's label in the same delivery (validated-label propagation). */
  propagated?: number;
  /** The adaptation event it caused, when it caused one. */
  event?: AdaptationEvent;
}

/**
 * An outcome for `item`.
 * @example
 * outcome(item, 'rejected', 'features come from another model');
 */
export function outcome(
  item: { feedbackId: string; cursor: number },
  status: FeedbackOutcomeStatus,
  reason?: string,
): InboxOutcome {
  const o: InboxOutcome = { feedbackId: item.feedbackId, cursor: item.cursor, status };
  if (reason) o.reason = reason.slice(0, 512);
  return o;
}

/**
 * The report the device sends with its acknowledgement.
 * @example
 * const ack = { schemaVersion: 2, cursor, outcomes: outcomes.map((o) => toReport(o, new Date())) };
 */
export function toReport(o: InboxOutcome, at: Date): FeedbackOutcomeReport {
  return {
    feedbackId: o.feedbackId,
    cursor: o.cursor,
    status: o.status,
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    ...(o.stateVersion === undefined ? {} : { stateVersion: o.stateVersion }),
    ...(o.propagated === undefined ? {} : { propagated: o.propagated }),
    at: at.toISOString(),
  };
}
