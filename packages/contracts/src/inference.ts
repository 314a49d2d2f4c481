import { z } from 'zod';

/**
 * The inference backends a device can run its model with, fastest first where each is available:
 * `xnnpack` (TF Lite's own kernels, native addon), `onnx` (onnxruntime-node, needs an ONNX twin),
 * `litert` (LiteRT.js in WebAssembly, runs everywhere).
 */
export const INFERENCE_BACKENDS = ['xnnpack', 'onnx', 'litert'] as const;
export const InferenceBackend = z.enum(INFERENCE_BACKENDS);
export type InferenceBackend = z.infer<typeof InferenceBackend>;

/** Threads of one inference, as configured or reported. */
export const InferenceThreads = z.number().int().min(1).max(64);

/**
 * `inference.threads` of device.json: a count, or `auto` — the device times a few inferences with
 * one thread and with all its cores when the model loads and keeps the faster (small models often
 * lose more to the pool's per-layer synchronisation than a second core gains).
 */
export const InferenceThreadsSetting = z.union([InferenceThreads, z.literal('auto')]);
