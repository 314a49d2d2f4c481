import type { AdaptationEvent } from '@tinymlops/contracts';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import type { QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';
import { seededKMeans } from './seeded-kmeans.js';

/** What {@link propagateValidatedLabels} works on. */
export interface PropagationContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
}

/**
 * Extends server-validated labels to the pending quarantined samples they explain. The pending
 * samples are clustered by seeded k-means: one cluster per validated label, started at and
 * anchored by that label's validated samples (`seeds`), plus one free cluster for whatever
 * resembles none of them; a pending sample that ends in a label's cluster joins that label (one
 * `class-reinforced` event per label, every sample a representative), the free cluster stays
 * pending. Why: a handful of validated labels is too few KNN samples for a new class (10 labels
 * teach fashion-mnv2's held-out classes only ~40 %), while the quarantine holds dozens of
 * unlabelled frames of the same episode. No label is ever invented here, and every propagated
 * sample sits in the ledger, so the server's later verdict on any of them undoes the whole group.
 * @example
 * propagateValidatedLabels({ quarantine, classifier: knn, runner }, new Map([['bag', [f1, f2, f3]]]));
 */
export function propagateValidatedLabels(
  ctx: PropagationContext,
  seeds: ReadonlyMap<string, readonly Float32Array[]>,
): AdaptationEvent[] {
  const labels = [...seeds.keys()].filter((l) => (seeds.get(l)?.length ?? 0) > 0);
  const pending = ctx.quarantine.pending();
  if (!labels.length || !pending.length) return [];
  const assignment = seededKMeans(
    pending.map((s) => s.features),
    labels.map((l) => seeds.get(l) ?? []),
  );
  const byLabel = new Map<string, QuarantinedSample[]>();
  pending.forEach((s, i) => {
    const label = labels[assignment[i] ?? -1];
    if (label === undefined) return;
    const members = byLabel.get(label);
    if (members) members.push(s);
    else byLabel.set(label, [s]);
  });
  return ctx.runner.batch(() =>
    [...byLabel].map(([label, samples]) => {
      const ids = samples.map((s) => s.sampleId);
      return ctx.runner.commit(
        {
          action: 'class-reinforced',
          label,
          samples: samples.length,
          reason: `propagated from server-validated ${label}`,
          sampleIds: ids,
          metrics: { seeds: seeds.get(label)?.length ?? 0 },
        },
        () => {
          for (const s of samples) ctx.classifier.add(s.features, label, s.at);
          ctx.quarantine.markAdapted(ids, label, ids);
        },
      );
    }),
  );
}
