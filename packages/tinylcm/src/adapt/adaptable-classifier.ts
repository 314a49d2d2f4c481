import type { SnapshotComponent } from '../state/adaptive-state.js';

/** What adapters read from a prediction. */
export interface ClassifierPrediction {
  /** `null` only when the classifier is empty. */
  label: string | null;
  confidence: number;
  /** Mean distance to the k nearest neighbours: the quantity the reference `knnDistance` stats describe. */
  meanDistance: number;
}

/**
 * The structural view adapters have of the KNN: just enough to add, remove, predict and
 * snapshot. `KnnClassifier` (`classify/knn-classifier.ts`) satisfies it and is what devices use;
 * the adapters' unit tests use a brute-force KNN.
 * @example
 * function reinforce(knn: AdaptableClassifier, reps: Float32Array[], label: string) {
 *   for (const f of reps) knn.add(f, label);
 * }
 */
export interface AdaptableClassifier extends SnapshotComponent {
  add(features: Float32Array, label: string, timestamp?: number): void;
  /** Removes every stored sample the predicate selects; returns how many. */
  removeWhere(predicate: (label: string, features: Float32Array) => boolean): number;
  predict(features: Float32Array): ClassifierPrediction;
  /** Distinct labels currently stored (the KNN's `classes`). */
  readonly classes: readonly string[];
}
