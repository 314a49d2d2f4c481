/**
 * @tinymlops/tinylcm — the on-device lifecycle library: model runtime, preprocessing, bundles,
 * features, classification, drift monitoring. One export line per module.
 * @example
 * import { loadBundle, loadModelRuntime, preprocessFrame } from '@tinymlops/tinylcm';
 */
export * from './drift/drift-detector.js';
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
