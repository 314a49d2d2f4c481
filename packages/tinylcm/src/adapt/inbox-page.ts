import type { FeedbackItem } from '@tinymlops/contracts';
import { relabelAdaptation, revertAdaptation, type ReverterContext } from './adaptation-reverter.js';
import { FeedbackAdapter, type FeedbackContext } from './feedback-adapter.js';
import { outcome, type InboxOutcome } from './inbox-outcome.js';
import { propagateValidatedLabels } from './label-propagation.js';

/** The inbox items adaptation handles (settings are applied by the device). */
export type InboxItem = Exclude<FeedbackItem, { kind: 'settings' }>;

const adapter = new FeedbackAdapter();

/** What an item is about: a later item about the same thing supersedes it. */
function subject(i: InboxItem): string {
  return i.kind === 'revert' || i.kind === 'relabel' ? `adaptation ${i.adaptation.seq}` : `sample ${i.sampleId}`;
}

/**
 * Applies one delivery of inbox items in cursor order, in one runner batch, then extends the
 * delivery's labels to the pending samples that cluster with them (validated-label propagation).
 * Of several items about the same sample or adaptation only the last is applied; the others are
 * `superseded`. Reverts and relabels need `reverter` (the state and the journal) and are rejected
 * without it.
 * @example
 * const outcomes = applyInbox(page.items, { quarantine, classifier, runner }, { ...ctx, state, tracker }, true);
 */
export function applyInbox(
  items: readonly InboxItem[],
  ctx: FeedbackContext,
  reverter: ReverterContext | undefined,
  propagate: boolean,
): InboxOutcome[] {
  const sorted = [...items].sort((a, b) => a.cursor - b.cursor);
  const last = new Map(sorted.map((i) => [subject(i), i.cursor]));
  const outcomes = ctx.runner.batch(() =>
    sorted.map((i): InboxOutcome => {
      const newer = last.get(subject(i));
      if (newer !== i.cursor) return outcome(i, 'superseded', `item ${newer} replaced it`);
      if (i.kind === 'label' || i.kind === 'false-alarm') return adapter.applyOne(i, ctx);
      if (!reverter) return outcome(i, 'rejected', 'this device keeps no adaptation journal');
      return i.kind === 'revert' ? revertAdaptation(i, reverter) : relabelAdaptation(i, reverter);
    }),
  );
  if (propagate) addPropagation(sorted, outcomes, ctx);
  return outcomes;
}

/** Runs propagation for the labels the delivery applied and records, per label, how many samples joined. */
function addPropagation(items: readonly InboxItem[], outcomes: InboxOutcome[], ctx: FeedbackContext): void {
  const labels = new Set(
    items.flatMap((i, n) => {
      const s = outcomes[n]?.status;
      return i.kind === 'label' && (s === 'applied' || s === 'merged') ? [i.label] : [];
    }),
  );
  if (labels.size === 0) return;
  const seeds = new Map([...labels].map((l) => [l, ctx.quarantine.ledgerOf(l).map((s) => s.features)]));
  const events = propagateValidatedLabels(ctx, seeds);
  const joined = new Map(events.map((e) => [e.label, e.samples]));
  items.forEach((i, n) => {
    const o = outcomes[n];
    if (o && i.kind === 'label' && (o.status === 'applied' || o.status === 'merged'))
      o.propagated = joined.get(i.label) ?? 0;
  });
}
