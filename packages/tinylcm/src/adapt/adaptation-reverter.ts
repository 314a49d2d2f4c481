import { TinyMLOpsError, type AdaptationEvent, type FeedbackItem } from '@tinymlops/contracts';
import type { AdaptiveState } from '../state/adaptive-state.js';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import type { AdaptationTracker } from './adaptation-tracker.js';
import { sameVector } from './feedback-adapter.js';
import { outcome, type InboxOutcome } from './inbox-outcome.js';
import type { AdaptedSample, QuarantineBuffer } from './quarantine-buffer.js';

type RevertItem = Extract<FeedbackItem, { kind: 'revert' }>;
type RelabelItem = Extract<FeedbackItem, { kind: 'relabel' }>;

/** What reverting and relabelling work on. */
export interface ReverterContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
  state: Pick<AdaptiveState, 'version'>;
  tracker: Pick<AdaptationTracker, 'readSince'>;
}

/**
 * Reverts one adaptation a person rejected on the server. When nothing changed the model since,
 * the device rolls back to the version before it, exactly (its samples leave the quarantine, so
 * the heuristic does not learn them again at once); otherwise, or when that version is no longer
 * kept, it removes what the adaptation added and keeps every later change.
 * @example
 * const o = revertAdaptation(item, { quarantine, classifier, runner, state, tracker });
 */
export function revertAdaptation(item: RevertItem, ctx: ReverterContext): InboxOutcome {
  const found = findEvent(item.adaptation, ctx);
  if (typeof found === 'string') return outcome(item, 'rejected', found);
  const e = found;
  const ids = e.sampleIds ?? [];
  if (ctx.state.version === e.stateVersionAfter) {
    try {
      const r = ctx.runner.rollback(e.stateVersionBefore, `server revert ${item.feedbackId} of adaptation ${e.seq}`, {
        action: 'adaptation-reverted',
        cleanup: () => ctx.quarantine.discard(ids),
      });
      const reason = `rolled back to state version ${e.stateVersionBefore}`;
      return { ...outcome(item, 'applied', reason), event: r, stateVersion: r.stateVersionAfter };
    } catch (err) {
      if (!(err instanceof TinyMLOpsError && err.code === 'NOT_FOUND')) throw err;
    }
  }
  const entries = ids.flatMap((id) => ctx.quarantine.adapted(id) ?? []).filter((a) => !e.label || a.label === e.label);
  const live = entries.filter((a) => !a.undone);
  if (entries.length === 0) return outcome(item, 'rejected', `the samples of adaptation ${e.seq} are no longer kept`);
  if (live.length === 0) return outcome(item, 'merged', `adaptation ${e.seq} was already undone`);
  const reps = live.filter((a) => a.representative).length;
  const why = `server revert ${item.feedbackId} of adaptation ${e.seq}`;
  let removed = 0;
  const event = ctx.runner.commit(
    { action: 'adaptation-reverted', ...labelOf(e), samples: reps, reason: why, sampleIds: ids },
    () => {
      for (const a of live) if (!a.undone) removed += removeGroup(a, ctx);
    },
  );
  const reason = `removed the ${removed} samples it added (later changes kept)`;
  return { ...outcome(item, 'applied', reason), event, stateVersion: event.stateVersionAfter };
}

/**
 * Renames what one adaptation taught: a pseudo-class everywhere it is used, or just the samples a
 * reinforcement or label added.
 * @example
 * relabelAdaptation(item, ctx); // pseudo-1 → bag
 */
export function relabelAdaptation(item: RelabelItem, ctx: ReverterContext): InboxOutcome {
  const found = findEvent(item.adaptation, ctx);
  if (typeof found === 'string') return outcome(item, 'rejected', found);
  const e = found;
  const from = e.label;
  if (!from) return outcome(item, 'rejected', `adaptation ${e.seq} (${e.action}) has no label to rename`);
  if (from === item.label) return outcome(item, 'merged', `already ${item.label}`);
  const whole = e.action === 'pseudo-class-created';
  if (whole && !ctx.classifier.classes.includes(from)) {
    const done = ctx.classifier.classes.includes(item.label);
    return outcome(item, done ? 'merged' : 'rejected', `${from} is no longer a class on this device`);
  }
  const entries = whole ? ctx.quarantine.ledgerOf(from) : inForce(e, from, ctx);
  if (!whole && entries.length === 0)
    return outcome(item, 'rejected', `the samples of adaptation ${e.seq} are no longer kept`);
  let moved = 0;
  const change = {
    action: 'adaptation-relabelled' as const,
    label: item.label,
    samples: 0,
    reason: `server relabel ${item.feedbackId}: ${from} → ${item.label} (adaptation ${e.seq})`,
    sampleIds: entries.map((a) => a.sampleId),
  };
  const event = ctx.runner.commit(change, () => {
    const taken: Float32Array[] = [];
    ctx.classifier.removeWhere((l, f) => {
      const hit = l === from && (whole || entries.some((a) => a.representative && sameVector(a.features, f)));
      if (hit) taken.push(Float32Array.from(f));
      return hit;
    });
    for (const f of taken) ctx.classifier.add(f, item.label);
    moved = taken.length;
    if (whole) ctx.quarantine.renameLabel(from, item.label);
    else for (const a of entries) ctx.quarantine.relabel(a.sampleId, item.label);
  });
  const reason = `${moved} samples moved from ${from} to ${item.label}`;
  return { ...outcome(item, 'applied', reason), event, stateVersion: event.stateVersionAfter };
}

/** The device's own record of the adaptation the server means, or why it cannot be used. */
function findEvent(ref: RevertItem['adaptation'], ctx: ReverterContext): AdaptationEvent | string {
  const e = ctx.tracker.readSince(ref.seq - 1).find((x) => x.seq === ref.seq);
  if (!e) return `adaptation ${ref.seq} is not in this device's journal`;
  if (e.stateVersionBefore !== ref.stateVersionBefore || e.stateVersionAfter !== ref.stateVersionAfter)
    return `adaptation ${ref.seq} on this device is another one (versions ${e.stateVersionBefore}→${e.stateVersionAfter})`;
  return e;
}

/** Takes the representatives of `a`'s group out of the KNN (and marks the group undone). */
function removeGroup(a: AdaptedSample, ctx: ReverterContext): number {
  const reps = ctx.quarantine.undoGroup(a.group);
  return ctx.classifier.removeWhere((l, f) => l === a.label && reps.some((r) => sameVector(r.features, f)));
}

function labelOf(e: AdaptationEvent): { label?: string } {
  return e.label === undefined ? {} : { label: e.label };
}

/** Ledger entries of the event's samples still in force under `label`. */
function inForce(e: AdaptationEvent, label: string, ctx: ReverterContext): AdaptedSample[] {
  const entries = (e.sampleIds ?? []).flatMap((id) => ctx.quarantine.adapted(id) ?? []);
  return entries.filter((a) => a.label === label && !a.undone);
}
