import { KnnStateDocument, TinyMLOpsError, parseOrThrow } from '@tinymlops/contracts';
import { KnnClassifier, type KnnOptions } from './knn-classifier.js';

/** Options when loading a state: anything the document does not carry. */
export type KnnLoadOptions = Omit<KnnOptions, 'dim' | 'k' | 'metric'>;

/**
 * Serialises a classifier to `knn-state.json` (`KnnStateDocument`): float32 rows as base64.
 * @example
 * await writeFile('knn-state.json', JSON.stringify(knnToDocument(knn)));
 */
export function knnToDocument(knn: KnnClassifier): KnnStateDocument {
  return knn.snapshotState();
}

/**
 * Rebuilds a classifier from a `KnnStateDocument` (validated). Capacity defaults to
 * max(1000, count) so a loaded state never evicts on load.
 * @example
 * const knn = knnFromDocument(JSON.parse(text), { capacity: 500, replacement: 'class-balanced' });
 */
export function knnFromDocument(doc: unknown, options: KnnLoadOptions = {}): KnnClassifier {
  const s = parseOrThrow(KnnStateDocument, doc, 'KNN state document');
  const knn = new KnnClassifier({
    ...options,
    dim: s.dim,
    k: s.k,
    metric: s.metric,
    capacity: capacityFor(s.count, options),
  });
  knn.restoreState(s); // the one decoder of the row encoding
  return knn;
}

/** The prototype's `LightweightKNN` state (reference-tinylcm.md §2.2, §3.1). */
interface PrototypeKnnState {
  k?: number;
  distance_metric?: string;
  max_samples?: number;
  X_train: number[][];
  y_train: string[];
  timestamps?: number[];
}

/**
 * Imports the prototype's `knn_initial_state_objects.json` (wrapped `{classifier, metadata}` or a
 * bare state). `prototypeDistanceScaling` must be chosen explicitly: `true` keeps the prototype's
 * distance unit (`0.01 + 1.6·L2` at D = 256) so its `knn_reference_stats.json` stays valid; `false`
 * gives textbook distances (then the reference statistics must be recomputed). Timestamps (epoch
 * seconds) become milliseconds; eviction is oldest-first like the prototype unless overridden.
 * @example
 * const knn = knnFromPrototypeState(JSON.parse(text), { prototypeDistanceScaling: true });
 */
export function knnFromPrototypeState(
  json: unknown,
  options: KnnLoadOptions & { prototypeDistanceScaling: boolean },
): KnnClassifier {
  const state = unwrap(json);
  const dim = state.X_train[0]?.length ?? 0;
  const metric = state.distance_metric ?? 'euclidean';
  if (metric !== 'euclidean' && metric !== 'cosine' && metric !== 'manhattan')
    throw new TinyMLOpsError('VALIDATION_FAILED', `prototype KNN state: unknown distance_metric "${metric}"`);
  const capacity = options.capacity ?? Math.max(state.max_samples ?? 0, state.X_train.length);
  const knn = new KnnClassifier({ replacement: 'oldest-first', ...options, dim, k: state.k ?? 5, metric, capacity });
  state.X_train.forEach((row, i) => {
    if (row.length !== dim)
      throw new TinyMLOpsError(
        'VALIDATION_FAILED',
        `prototype KNN state: X_train[${i}] has ${row.length} values, expected ${dim}`,
      );
    knn.add(Float32Array.from(row), state.y_train[i] ?? '', (state.timestamps?.[i] ?? i) * 1000);
  });
  return knn;
}

function unwrap(json: unknown): PrototypeKnnState {
  const o = (json ?? {}) as Record<string, unknown>;
  const s = (typeof o['classifier'] === 'object' ? o['classifier'] : o) as Partial<PrototypeKnnState>;
  if (
    !Array.isArray(s.X_train) ||
    !Array.isArray(s.y_train) ||
    s.X_train.length === 0 ||
    s.X_train.length !== s.y_train.length
  )
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      'prototype KNN state: need non-empty X_train and y_train of equal length',
    );
  if (s.y_train.some((y) => typeof y !== 'string' || y.length === 0))
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      'prototype KNN state: every y_train entry must be a non-empty string',
    );
  return s as PrototypeKnnState;
}

function capacityFor(count: number, options: KnnLoadOptions): number {
  const capacity = options.capacity ?? Math.max(1000, count);
  if (capacity < count)
    throw new TinyMLOpsError('INVALID_OPTION', `KNN state holds ${count} samples but capacity is ${capacity}`);
  return capacity;
}
