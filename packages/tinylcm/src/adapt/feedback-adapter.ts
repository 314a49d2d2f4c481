import type { AdaptationEvent, ValidationFeedback } from '@tinymlops/contracts';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import type { AdaptedSample, QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';

/** What happened to one feedback item. */
export type FeedbackStatus = 'applied' | 'dropped' | 'confirmed' | 'undone' | 'unknown-sample';

/** The outcome of one feedback item; `event` is absent only for `unknown-sample`. */
export interface FeedbackOutcome {
  feedbackId: string;
  sampleId: string;
  status: FeedbackStatus;
  event?: AdaptationEvent;
}

/** What the feedback adapter works on. */
export interface FeedbackContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
}

const PSEUDO = /^pseudo-\d+$/;

/**
 * Applies labels validated on the server (`server-assisted` mode, and corrections in `autonomous`
 * mode), matched to quarantined samples by `sampleId`:
 * - pending sample, `label`/`new-class` → its features enter the KNN under that label;
 * - pending sample, `false-alarm` → dropped from quarantine;
 * - sample the device already pseudo-labelled, same label → confirmed, nothing changes;
 * - different label (or `false-alarm` for a `pseudo-N` class) → the pseudo-label is rejected: the
 *   whole group's representatives leave the KNN, then the server's label (if any) is applied;
 * - a sample the device no longer holds → `unknown-sample` (the caller may still acknowledge it).
 * Re-applying the same feedback is a no-op (`confirmed`), so a re-delivered page is harmless.
 *
 * @example
 * const outcomes = new FeedbackAdapter().apply(page.items, { quarantine, classifier: knn, runner });
 * const ackCursor = page.nextCursor; // every item was handled, applied or not
 */
export class FeedbackAdapter {
  /** Applies the items in cursor order; returns one outcome per item. */
  apply(items: readonly ValidationFeedback[], ctx: FeedbackContext): FeedbackOutcome[] {
    const sorted = [...items].sort((a, b) => a.cursor - b.cursor);
    return ctx.runner.batch(() => sorted.map((f) => this.#applyOne(f, ctx)));
  }

  #applyOne(f: ValidationFeedback, ctx: FeedbackContext): FeedbackOutcome {
    const out = { feedbackId: f.feedbackId, sampleId: f.sampleId };
    const label = f.decision === 'false-alarm' ? undefined : f.label;
    const pending = ctx.quarantine.get(f.sampleId);
    if (pending) return { ...out, ...applyToPending(pending, label, f.feedbackId, ctx) };
    const adapted = ctx.quarantine.adapted(f.sampleId);
    if (!adapted) return { ...out, status: 'unknown-sample' };
    return { ...out, ...applyToAdapted(adapted, label, f.feedbackId, ctx) };
  }
}

type Result = { status: FeedbackStatus; event: AdaptationEvent };

function applyToPending(s: QuarantinedSample, label: string | undefined, id: string, ctx: FeedbackContext): Result {
  if (label === undefined) {
    const event = ctx.runner.commit(
      { action: 'feedback-applied', samples: 0, reason: `server feedback ${id}: false alarm, dropped from quarantine` },
      () => ctx.quarantine.discard([s.sampleId]),
    );
    return { status: 'dropped', event };
  }
  const event = ctx.runner.commit(
    { action: 'feedback-applied', label, samples: 1, reason: `server feedback ${id}`, sampleIds: [s.sampleId] },
    () => {
      ctx.classifier.add(s.features, label, s.at);
      ctx.quarantine.markAdapted([s.sampleId], label, [s.sampleId]);
    },
  );
  return { status: 'applied', event };
}

function applyToAdapted(a: AdaptedSample, label: string | undefined, id: string, ctx: FeedbackContext): Result {
  const agrees = label === undefined ? !PSEUDO.test(a.label) || a.undone : label === a.label && !a.undone;
  if (agrees) {
    const event = ctx.runner.note({
      action: 'feedback-applied',
      label: a.label,
      samples: 0,
      reason: `server feedback ${id} confirms ${a.label}`,
    });
    return { status: 'confirmed', event };
  }
  const rejected = a.label;
  const removing = a.undone ? 0 : ctx.quarantine.representativesOf(a.group).length;
  const verdict = label === undefined ? 'calls it a false alarm' : `labels it ${label}`;
  const event = ctx.runner.commit(
    {
      action: 'feedback-undone',
      label: rejected,
      samples: removing + (label === undefined ? 0 : 1),
      reason: `server feedback ${id} ${verdict}; ${rejected} undone (${removing} samples leave the KNN)`,
      sampleIds: [a.sampleId],
    },
    () => {
      if (!a.undone) removeGroup(a, ctx);
      if (label !== undefined) {
        ctx.classifier.add(a.features, label);
        ctx.quarantine.relabel(a.sampleId, label);
      }
    },
  );
  return { status: 'undone', event };
}

/** Takes every representative of `a`'s group out of the KNN; returns how many samples left it. */
function removeGroup(a: AdaptedSample, ctx: FeedbackContext): number {
  const reps = ctx.quarantine.undoGroup(a.group);
  return ctx.classifier.removeWhere((l, f) => l === a.label && reps.some((r) => sameVector(r.features, f)));
}

function sameVector(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
