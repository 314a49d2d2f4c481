/**
 * @tinymlops/tinylcm — the on-device lifecycle library. One export line per module; modules of
 * the other concerns (classify, drift, sync, pipeline) are added beside these.
 * @example
 * import { StateStore, AdaptiveState, AdaptationController } from '@tinymlops/tinylcm';
 */
export * from './drift/drift-detector.js';
export * from './random/prng.js';
export * from './state/state-file.js';
export * from './state/state-store.js';
export * from './state/adaptive-state.js';
export * from './adapt/adaptable-classifier.js';
export * from './adapt/quarantine-buffer.js';
export * from './adapt/adaptation-tracker.js';
export * from './adapt/adaptation-runner.js';
export * from './adapt/heuristic-adapter.js';
export * from './adapt/feedback-adapter.js';
export * from './adapt/adaptation-guard.js';
export * from './adapt/operational-mode.js';
export * from './adapt/adaptation-controller.js';
