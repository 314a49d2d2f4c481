import type { AdaptationEvent } from '@tinymlops/contracts';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import type { QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';

/** What {@link propagateValidatedLabels} works on. */
export interface PropagationContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
}

/**
 * Extends server-validated labels to the pending quarantined samples they explain: after a
 * feedback page, every pending sample the updated KNN now assigns to one of the just-validated
 * labels with at least `minConfidence` joins that label (one `class-reinforced` event per label,
 * all its samples representatives). Why: a handful of validated labels is too few KNN samples for
 * a new class (10 labels teach the held-out classes of fashion-mnv2 only ~60 %), while the
 * quarantine holds dozens of unlabelled frames of the same episode. No new label is ever invented
 * here, and every propagated sample sits in the ledger, so the server's later verdict on any of
 * them undoes the whole group.
 * @example
 * propagateValidatedLabels({ quarantine, classifier: knn, runner }, new Set(['bag']), 0.8);
 */
export function propagateValidatedLabels(
  ctx: PropagationContext,
  labels: ReadonlySet<string>,
  minConfidence: number,
): AdaptationEvent[] {
  const byLabel = new Map<string, QuarantinedSample[]>();
  for (const s of ctx.quarantine.pending()) {
    const p = ctx.classifier.predict(s.features);
    if (p.label === null || !labels.has(p.label) || p.confidence < minConfidence) continue;
    byLabel.set(p.label, [...(byLabel.get(p.label) ?? []), s]);
  }
  return ctx.runner.batch(() =>
    [...byLabel].map(([label, samples]) => {
      const ids = samples.map((s) => s.sampleId);
      return ctx.runner.commit(
        { action: 'class-reinforced', label, samples: samples.length, reason: `propagated from server-validated ${label}`, sampleIds: ids, metrics: { minConfidence } }, // prettier-ignore
        () => {
          for (const s of samples) ctx.classifier.add(s.features, label, s.at);
          ctx.quarantine.markAdapted(ids, label, ids);
        },
      );
    }),
  );
}
