import { TinyMLOpsError, type AdaptationEvent, type ReferenceStats } from '@tinymlops/contracts';
import { mulberry32 } from '../random/prng.js';
import type { AdaptableClassifier } from './adaptable-classifier.js';
import type { AdaptationRunner } from './adaptation-runner.js';
import { centroidOf, euclidean, kMeans } from './kmeans.js';
import type { QuarantineBuffer, QuarantinedSample } from './quarantine-buffer.js';

/** Options of {@link HeuristicAdapter}. Every threshold is in units of the reference KNN distance. */
export interface HeuristicAdapterOptions {
  /** Reference KNN-distance statistics (`detectors.json` → `knnDistance`). */
  reference: Pick<ReferenceStats, 'mean' | 'std'>;
  /** Seed of k-means++ (default 1). */
  seed?: number;
  /** Smallest cluster that may change the model (default 5). */
  minClusterSize?: number;
  /** Largest k tried (default 4). */
  maxClusters?: number;
  /** Dense: mean member-to-centroid distance ≤ spreadFactor · reference mean (default 1.5). */
  spreadFactor?: number;
  /** New class: the centroid's KNN distance > mean + newClassZ · std (default 1.5; see docs/adaptation.md). */
  newClassZ?: number;
  /** Known class: the centroid's KNN distance ≤ mean + knownClassZ · std … (default 1) */
  knownClassZ?: number;
  /** … and the KNN votes for one class with at least this confidence (default 0.6). */
  minConfidence?: number;
  /** Members nearest the centroid that enter the KNN (default 5). */
  representatives?: number;
}

/** What the heuristic adapter reads and changes. */
export interface HeuristicContext {
  quarantine: QuarantineBuffer;
  classifier: AdaptableClassifier;
  runner: AdaptationRunner;
}

/** What the adapter decided for one dense cluster. */
export interface ClusterDecision {
  kind: 'new-class' | 'reinforce' | 'undecided';
  label: string | undefined;
  members: QuarantinedSample[];
  representatives: QuarantinedSample[];
  spread: number;
  centroidDistance: number;
  confidence: number;
}

const DEFAULTS = {
  seed: 1,
  minClusterSize: 5,
  maxClusters: 4,
  spreadFactor: 1.5,
  newClassZ: 1.5,
  knownClassZ: 1,
  minConfidence: 0.6,
  representatives: 5,
};

/**
 * Autonomous pseudo-labelling of quarantined samples. Clusters the pending samples with seeded
 * k-means++ (smallest k whose every big-enough cluster is dense), then per dense cluster:
 * far from every known class → a new `pseudo-N` class; close to one known class → reinforces it;
 * otherwise the samples stay quarantined. The representatives enter the KNN through the runner,
 * so every decision is snapshotted and recorded as an adaptation event.
 *
 * Thresholds are multiples of the reference KNN-distance mean/std, never absolute numbers: the
 * prototype's fixed 0.1 never fired at real feature scales (dispersions in the hundreds).
 *
 * @example
 * const adapter = new HeuristicAdapter({ reference: detectors.knnDistance, seed: 7 });
 * const events = adapter.run({ quarantine, classifier: knn, runner });
 */
export class HeuristicAdapter {
  readonly options: Readonly<Required<HeuristicAdapterOptions>>;

  constructor(options: HeuristicAdapterOptions) {
    this.options = Object.freeze({ ...DEFAULTS, ...options });
    const { reference, minClusterSize, representatives } = this.options;
    if (!(reference.mean > 0) || !(reference.std >= 0)) {
      throw new TinyMLOpsError('INVALID_OPTION', 'HeuristicAdapter: reference needs mean > 0 and std >= 0');
    }
    if (minClusterSize < 2 || representatives < 1) {
      throw new TinyMLOpsError('INVALID_OPTION', 'HeuristicAdapter: minClusterSize >= 2 and representatives >= 1');
    }
  }

  /** Decides, without changing anything, what each dense cluster of pending samples would become. */
  plan(samples: readonly QuarantinedSample[], classifier: AdaptableClassifier): ClusterDecision[] {
    return this.#denseClusters(samples).map((members) => this.#decide(members, classifier));
  }

  /**
   * Plans and applies: one committed adaptation per decided cluster; returns the events. Each
   * cluster is judged against the KNN as the previous one left it, so two halves of one new class
   * become pseudo-N and a reinforcement of pseudo-N, not two pseudo-classes.
   */
  run(ctx: HeuristicContext): AdaptationEvent[] {
    const clusters = this.#denseClusters(ctx.quarantine.pending());
    return ctx.runner.batch(() =>
      clusters.flatMap((members) => {
        const d = this.#decide(members, ctx.classifier);
        if (d.kind === 'undecided') return [];
        const label = d.kind === 'new-class' ? nextPseudoLabel(ctx.classifier, ctx.quarantine) : (d.label ?? '');
        return [this.#apply(d, label, ctx)];
      }),
    );
  }

  #apply(d: ClusterDecision, label: string, ctx: HeuristicContext): AdaptationEvent {
    const ids = d.members.map((m) => m.sampleId);
    const reps = d.representatives;
    const why =
      d.kind === 'new-class'
        ? `dense cluster of ${ids.length} far from every known class`
        : `dense cluster of ${ids.length} close to known class ${label}`;
    return ctx.runner.commit(
      {
        action: d.kind === 'new-class' ? 'pseudo-class-created' : 'class-reinforced',
        label,
        samples: reps.length,
        reason: why,
        metrics: {
          clusterSize: ids.length,
          spread: d.spread,
          centroidDistance: d.centroidDistance,
          confidence: d.confidence,
        },
        sampleIds: ids,
      },
      () => {
        for (const r of reps) ctx.classifier.add(r.features, label, r.at);
        ctx.quarantine.markAdapted(
          ids,
          label,
          reps.map((r) => r.sampleId),
        );
      },
    );
  }

  #decide(members: QuarantinedSample[], classifier: AdaptableClassifier): ClusterDecision {
    const { reference: ref, newClassZ, knownClassZ, minConfidence } = this.options;
    const centroid = centroidOf(members.map((m) => m.features));
    const byDistance = [...members].sort((a, b) => euclidean(a.features, centroid) - euclidean(b.features, centroid));
    const p = classifier.predict(centroid);
    const base = {
      members,
      representatives: byDistance.slice(0, this.options.representatives),
      spread: spreadOf(members, centroid),
      centroidDistance: p.meanDistance,
      confidence: p.confidence,
    };
    if (p.meanDistance > ref.mean + newClassZ * ref.std) return { kind: 'new-class', label: undefined, ...base };
    const near = p.meanDistance <= ref.mean + knownClassZ * ref.std && p.confidence >= minConfidence;
    return near && p.label !== null
      ? { kind: 'reinforce', label: p.label, ...base }
      : { kind: 'undecided', label: undefined, ...base };
  }

  /** Clusters of at least minClusterSize whose spread is dense, for the smallest k where all big ones are. */
  #denseClusters(samples: readonly QuarantinedSample[]): QuarantinedSample[][] {
    const { minClusterSize, maxClusters, spreadFactor, reference, seed } = this.options;
    const limit = spreadFactor * reference.mean;
    const kMax = Math.min(maxClusters, Math.floor(samples.length / minClusterSize));
    let dense: QuarantinedSample[][] = [];
    for (let k = 1; k <= kMax; k++) {
      const { assignments } = kMeans(
        samples.map((s) => s.features),
        k,
        mulberry32(seed + k),
      );
      const big = groups(samples, assignments, k).filter((g) => g.length >= minClusterSize);
      dense = big.filter((g) => spreadOf(g, centroidOf(g.map((m) => m.features))) <= limit);
      if (big.length > 0 && dense.length === big.length) break;
    }
    return dense;
  }
}

/** Mean Euclidean distance of members to their centroid. */
function spreadOf(members: readonly QuarantinedSample[], centroid: Float32Array): number {
  return members.reduce((s, m) => s + euclidean(m.features, centroid), 0) / members.length;
}

function groups(samples: readonly QuarantinedSample[], assignments: Int32Array, k: number): QuarantinedSample[][] {
  const out: QuarantinedSample[][] = Array.from({ length: k }, () => []);
  samples.forEach((s, i) => out[assignments[i] ?? 0]?.push(s));
  return out;
}

/** `pseudo-N` with N above every pseudo label the KNN or the ledger has seen, so names never repeat. */
function nextPseudoLabel(classifier: AdaptableClassifier, quarantine: QuarantineBuffer): string {
  const used = [...classifier.classes, ...quarantine.ledgerLabels()]
    .map((l) => /^pseudo-(\d+)$/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  return `pseudo-${Math.max(0, ...used) + 1}`;
}
