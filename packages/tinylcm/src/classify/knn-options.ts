import { DISTANCE_METRICS, TinyMLOpsError, type DistanceMetric } from '@tinymlops/contracts';
import type { NovelClassGateOptions } from './novel-class-gate.js';

/** What to evict when a sample is added to a full classifier. */
export const REPLACEMENT_POLICIES = ['oldest-first', 'class-balanced'] as const;
export type ReplacementPolicy = (typeof REPLACEMENT_POLICIES)[number];

/** Options of {@link KnnClassifier}; everything but `dim` has a default. */
export interface KnnOptions {
  /** Feature dimension. */
  dim: number;
  /** Neighbours per vote (default 5). */
  k?: number;
  /** Distance metric (default `euclidean`). */
  metric?: DistanceMetric;
  /** Maximum stored samples (default 1000). */
  capacity?: number;
  /** `oldest-first` (default) or `class-balanced`: evict the oldest sample of the most numerous class. */
  replacement?: ReplacementPolicy;
  /**
   * Report distances in the prototype's unit (`0.01 + d·f(D)`, §2.2 of the reference notes) so that
   * reference statistics recorded by the prototype keep their meaning. Off by default.
   */
  prototypeDistanceScaling?: boolean;
  /** Clock for default timestamps, ms (default `Date.now`). */
  clock?: () => number;
  /** Keep learned classes from swallowing the shipped ones ({@link NovelClassGate}); off by default. */
  novelClassGate?: NovelClassGateOptions;
}

/** One neighbour of a prediction: its label, its distance and its storage index. */
export interface KnnNeighbour {
  label: string;
  distance: number;
  index: number;
}

/**
 * A prediction. `label` is `null` when the classifier is empty. `confidence` is the winner's share
 * of the distance-weighted votes, so it always belongs to `label`.
 */
export interface KnnPrediction {
  label: string | null;
  confidence: number;
  neighbours: KnnNeighbour[];
  meanDistance: number;
}

/** Checks the options and fills in the defaults (the gate is checked by `NovelClassGate`). */
export function validateKnnOptions(o: KnnOptions) {
  const k = o.k ?? 5;
  const capacity = o.capacity ?? 1000;
  const metric = o.metric ?? 'euclidean';
  const replacement = o.replacement ?? 'oldest-first';
  const bad = (name: string, range: string, got: unknown) =>
    new TinyMLOpsError('INVALID_OPTION', `KnnClassifier: option "${name}" must be ${range}, got ${String(got)}`);
  if (!Number.isInteger(o.dim) || o.dim < 1) throw bad('dim', 'an integer ≥ 1', o.dim);
  if (!Number.isInteger(k) || k < 1 || k > 1024) throw bad('k', 'an integer in 1…1024', k);
  if (!Number.isInteger(capacity) || capacity < 1) throw bad('capacity', 'an integer ≥ 1', capacity);
  if (!DISTANCE_METRICS.includes(metric)) throw bad('metric', DISTANCE_METRICS.join(' | '), metric);
  if (!REPLACEMENT_POLICIES.includes(replacement))
    throw bad('replacement', REPLACEMENT_POLICIES.join(' | '), replacement);
  return {
    dim: o.dim,
    k,
    capacity,
    metric,
    replacement,
    prototypeDistanceScaling: o.prototypeDistanceScaling ?? false,
  };
}
