/**
 * @tinymlops/tinylcm — the on-device lifecycle library. One export line per module.
 * @example
 * import { FeatureTransform, KnnClassifier } from '@tinymlops/tinylcm';
 */
export * from './random/prng.js';
export * from './drift/drift-detector.js';
export * from './features/standard-scaler.js';
export * from './features/pca.js';
export * from './features/feature-transform.js';
export * from './classify/distance.js';
export * from './classify/knn-classifier.js';
export * from './classify/knn-store.js';
export * from './classify/knn-state.js';
export * from './drift/knn-distance-options.js';
export * from './drift/knn-distance-monitor.js';
export * from './log/operational-monitor.js';
export * from './log/data-logger.js';
export * from './pipeline.js';
