import { decodeFloat32, type AdaptationEvent, type FeedbackItem, type ValidationFeedback } from '@tinymlops/contracts';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import { checkLabel, type FeedbackChecks } from './feedback-checks.js';
import { outcome, type InboxOutcome } from './inbox-outcome.js';
import type { AdaptedSample, QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';

/** A label or false alarm from the server (a v1 item has no features). */
export type SampleFeedback = Extract<FeedbackItem, { kind: 'label' | 'false-alarm' }>;

/** What the feedback adapter works on. */
export interface FeedbackContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
  /** What a label must match to be applied (model, feature dimension). */
  checks?: FeedbackChecks;
}

const PSEUDO = /^pseudo-\d+$/;

/**
 * A v1 feedback item as the adapter takes it: a label of the device's own sample, without features
 * (the device needs its local copy).
 * @example
 * adapter.apply(page.items.map(fromV1), ctx);
 */
export function fromV1(f: ValidationFeedback): SampleFeedback {
  const base = { feedbackId: f.feedbackId, cursor: f.cursor, issuedAt: f.validatedAt, sampleId: f.sampleId };
  if (f.decision === 'false-alarm') {
    return { ...base, kind: 'false-alarm', episodeId: f.episodeId, validatedAt: f.validatedAt };
  }
  const label = { decision: f.decision, label: f.label, episodeId: f.episodeId, validatedAt: f.validatedAt };
  return { ...base, kind: 'label', ...label, source: 'own', sourceDeviceId: 'unknown0', model: null, features: null };
}

/**
 * Applies labels validated on the server (`server-assisted` mode, and corrections in `autonomous`
 * mode). The device's own copy of the sample is used when it has one; otherwise the features the
 * label carries, so a label lands after any delay, across reboots, and on devices that never saw
 * the sample (fleet learning):
 * - pending sample, label L → its features enter the KNN under L (`applied`);
 * - pending sample, false alarm → dropped from quarantine (`applied`);
 * - sample already learnt as L, label L → nothing changes (`merged`); a re-delivered page is harmless;
 * - sample learnt as another label P (or a false alarm for a `pseudo-N`) → P's whole group leaves
 *   the KNN, then L is applied (`applied`, the reason names P);
 * - sample not held, label with features → the features enter the KNN under L (`applied`);
 * - sample not held, false alarm → nothing to drop (`merged`);
 * - a label failing the checks (another model, another dimension, no features and no local copy)
 *   changes nothing (`rejected`, with the reason).
 * @example
 * const outcomes = new FeedbackAdapter().apply(page.items, { quarantine, classifier: knn, runner });
 */
export class FeedbackAdapter {
  /** Applies the items in cursor order (inside one runner batch); one outcome per item. */
  apply(items: readonly SampleFeedback[], ctx: FeedbackContext): InboxOutcome[] {
    const sorted = [...items].sort((a, b) => a.cursor - b.cursor);
    return ctx.runner.batch(() => sorted.map((f) => this.applyOne(f, ctx)));
  }

  /** Applies one item (call inside `runner.batch` when applying several). */
  applyOne(f: SampleFeedback, ctx: FeedbackContext): InboxOutcome {
    const label = f.kind === 'false-alarm' ? undefined : f.label;
    const pending = ctx.quarantine.get(f.sampleId);
    if (pending) return withEvent(f, applyToPending(pending, label, f.feedbackId, ctx));
    const adapted = ctx.quarantine.adapted(f.sampleId);
    if (adapted) return withEvent(f, applyToAdapted(adapted, label, f.feedbackId, ctx));
    if (f.kind === 'false-alarm') return outcome(f, 'merged', 'the device no longer holds the sample: nothing to drop');
    const refused = checkLabel(f, ctx.checks, ctx.classifier);
    if (refused) return outcome(f, 'rejected', refused);
    return withEvent(f, applyCarried(f.sampleId, decodeFloat32(f.features!), f.label, f, ctx));
  }
}

type Applied = { status: InboxOutcome['status']; event: AdaptationEvent; reason?: string };

function withEvent(f: SampleFeedback, r: Applied): InboxOutcome {
  const o: InboxOutcome = { ...outcome(f, r.status, r.reason), event: r.event };
  if (r.event.stateVersionAfter !== r.event.stateVersionBefore) o.stateVersion = r.event.stateVersionAfter;
  return o;
}

function applyCarried(
  id: string,
  features: Float32Array,
  label: string,
  f: SampleFeedback,
  ctx: FeedbackContext,
): Applied {
  const from = f.kind === 'label' && f.source === 'fleet' ? `shared by ${f.sourceDeviceId}` : 'its features';
  const reason = `server feedback ${f.feedbackId} (${from})`;
  const event = ctx.runner.commit({ action: 'feedback-applied', label, samples: 1, reason, sampleIds: [id] }, () => {
    ctx.classifier.add(features, label);
    ctx.quarantine.remember(id, features, label);
  });
  return { status: 'applied', event };
}

function applyToPending(s: QuarantinedSample, label: string | undefined, id: string, ctx: FeedbackContext): Applied {
  if (label === undefined) {
    const event = ctx.runner.commit(
      { action: 'feedback-applied', samples: 0, reason: `server feedback ${id}: false alarm, dropped from quarantine` },
      () => ctx.quarantine.discard([s.sampleId]),
    );
    return { status: 'applied', event };
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

function applyToAdapted(a: AdaptedSample, label: string | undefined, id: string, ctx: FeedbackContext): Applied {
  const agrees = label === undefined ? !PSEUDO.test(a.label) || a.undone : label === a.label && !a.undone;
  if (agrees) {
    const confirms = `server feedback ${id} confirms ${a.label}`;
    const event = ctx.runner.note({ action: 'feedback-applied', label: a.label, samples: 0, reason: confirms });
    const reason = label === undefined ? `${a.label} is a known class` : `already learnt as ${a.label}`;
    return { status: 'merged', event, reason };
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
  return { status: 'applied', event, reason: `replaced ${rejected} (${removing} samples left the KNN)` };
}

/** Takes every representative of `a`'s group out of the KNN; returns how many samples left it. */
function removeGroup(a: AdaptedSample, ctx: FeedbackContext): number {
  const reps = ctx.quarantine.undoGroup(a.group);
  return ctx.classifier.removeWhere((l, f) => l === a.label && reps.some((r) => sameVector(r.features, f)));
}

/**
 * True when two vectors are identical, element by element.
 * @example
 * sameVector(Float32Array.of(1, 2), Float32Array.of(1, 2)); // true
 */
export function sameVector(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
