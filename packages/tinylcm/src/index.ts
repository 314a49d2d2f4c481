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
export * from './runtime/model-runtime.js';
export { createLiteRtRuntime } from './runtime/litert-runtime.js';
export { createOnnxRuntime } from './runtime/onnx-runtime.js';
export type { LiteRtLogSink, LiteRtLogStream } from './runtime/litert-node-shims.js';
export * from './runtime/tflite-flatbuffer/read-tflite-model.js';
export { fixDynamicBatch } from './runtime/tflite-flatbuffer/fix-dynamic-batch.js';
export { addFloatOutputs, type ExtraOutput } from './runtime/tflite-flatbuffer/add-float-outputs.js';
export * from './features/area-resize.js';
export * from './features/preprocess.js';
export * from './bundle/load-bundle.js';
export * from './bundle/bundle-signature.js';
export * from './bundle/bundle-runtime.js';
export * from './sync/atomic-write.js';
export * from './sync/backoff.js';
export * from './sync/bundle-download.js';
export * from './sync/device-api.js';
export * from './sync/device-credentials.js';
export * from './sync/feedback-puller.js';
export * from './sync/model-updater.js';
export * from './sync/outbox.js';
export * from './sync/package-builder.js';
export * from './sync/package-uploader.js';
export * from './sync/sync-client.js';
export * from './sync/sync-logger.js';
export * from './sync/tar-archive.js';
export * from './bundle/bundle-pipeline.js';
