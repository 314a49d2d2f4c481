import fs from 'node:fs/promises';
import { INFERENCE_BACKENDS, TinyMLOpsError } from '@tinymlops/contracts';
import type { LiteRtLogSink } from './litert-node-shims.js';
import type { FeatureHead } from './xnnpack/xnnpack-plan.js';

/** The inference backends TinyLCM can use (see `InferenceBackend` in contracts). */
export const MODEL_BACKENDS = INFERENCE_BACKENDS;
export type ModelBackend = (typeof MODEL_BACKENDS)[number];

/** Name, shape and element type of one model input or output. */
export interface TensorDescription {
  readonly name: string;
  readonly shape: readonly number[];
  /** Element type as the model stores it (`uint8`, `int8`, `float32`, …). */
  readonly dtype: string;
}

/**
 * A loaded, ready-to-run model: the one seam between TinyLCM and an inference engine.
 *
 * `run` takes one frame already laid out as the model input (see `features/preprocess.ts`) and
 * resolves to every output by name, as float32: quantised outputs are dequantised. The output named
 * {@link ModelRuntime.featureTensor} is the feature vector the rest of the pipeline consumes.
 * @example
 * const rt = await loadModelRuntime('models/fashion-mnv2/model.tflite', { modelName: 'fashion-mnv2' });
 * const out = await rt.run(rgbBytes);
 * const features = out.get(rt.featureTensor)!; // Float32Array
 * rt.dispose();
 */
export interface ModelRuntime {
  readonly modelName: string;
  readonly backend: ModelBackend;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  /** Name of the output holding the feature vector. */
  readonly featureTensor: string;
  /** Threads one inference uses. */
  readonly threads?: number;
  /**
   * True when the `featureHead` of the load options runs inside `run` (XNNPACK): the feature
   * output then holds `W·x + b` of the model's features, not the features themselves.
   */
  readonly featureHead?: boolean;
  /** Runs one frame. Throws `MODEL_LOAD_FAILED` when the input has the wrong type or length. */
  run(input: Uint8Array | Float32Array): Promise<Map<string, Float32Array>>;
  /** Frees the engine's memory; the runtime is unusable afterwards. */
  dispose(): void;
}

/** Options of {@link loadModelRuntime}. */
export interface LoadModelRuntimeOptions {
  /** Used in every error message, e.g. the bundle id. */
  modelName: string;
  /** Defaults to `litert`. */
  backend?: ModelBackend;
  /**
   * The tensor holding the features: a signature output name (`feature_pool`), or the name of any
   * tensor in the graph. An int8 intermediate tensor is exposed as an extra float output. Defaults
   * to the first output.
   */
  featureTensor?: string;
  /** Receives the engine's own log lines (LiteRT INFO/WARNING/ERROR); dropped by default. */
  onLog?: LiteRtLogSink;
  /**
   * LiteRT only: compile its WASM with V8's baseline compiler only (`--liftoff-only`). Measured on
   * x86: peak RSS ~175 → ~100 MB with the 224² MobileNetV2 at similar latency. Process-wide, and
   * only effective when set on the first LiteRT load of the process. Default false.
   */
  lowMemory?: boolean;
  /**
   * Threads for one inference (default 1). `xnnpack` and `onnx` run a native thread pool; `litert`
   * above 1 loads LiteRT.js' threaded WASM build (workers; needs relaxed SIMD, which TinyLCM turns
   * on in Node 20), process-wide from its first load on.
   */
  threads?: number;
  /**
   * XNNPACK only (other backends ignore it; check {@link ModelRuntime.featureHead}): an affine map
   * `y = W·x + b` (W row-major, out × feature dim) appended to the model graph after the feature
   * tensor, so the feature output holds y — the feature transform folded into the model call.
   */
  featureHead?: FeatureHead;
}

/**
 * Loads a model from bytes or a file path with the chosen backend.
 * Every failure (unreadable file, corrupt model, unsupported op, unknown feature tensor) throws
 * `TinyMLOpsError('MODEL_LOAD_FAILED')` with a message that names the model and the problem.
 * @example
 * const rt = await loadModelRuntime(bytes, { modelName: 'fashion-mnv2', featureTensor: 'features' });
 */
export async function loadModelRuntime(
  source: Uint8Array | string,
  options: LoadModelRuntimeOptions,
): Promise<ModelRuntime> {
  const bytes = typeof source === 'string' ? await readModelFile(source, options.modelName) : source;
  const backend = options.backend ?? 'litert';
  if (backend === 'xnnpack') {
    const { createXnnpackRuntime } = await import('./xnnpack/xnnpack-runtime.js');
    return createXnnpackRuntime(bytes, options);
  }
  if (backend === 'onnx') {
    const { createOnnxRuntime } = await import('./onnx-runtime.js');
    return createOnnxRuntime(bytes, options);
  }
  const { createLiteRtRuntime } = await import('./litert-runtime.js');
  return createLiteRtRuntime(bytes, options);
}

async function readModelFile(file: string, modelName: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (cause) {
    throw modelError(modelName, `cannot read ${file}: ${(cause as Error).message}`, cause);
  }
}

/** A `MODEL_LOAD_FAILED` error whose message starts with the model name. */
export function modelError(modelName: string, problem: string, cause?: unknown): TinyMLOpsError {
  return new TinyMLOpsError(
    'MODEL_LOAD_FAILED',
    `model "${modelName}": ${problem}`,
    cause === undefined ? {} : { cause },
  );
}

/** Throws unless `input` has the element type and length `desc` expects. */
export function checkInput(modelName: string, desc: TensorDescription, input: Uint8Array | Float32Array): void {
  const expected = desc.shape.reduce((a, b) => a * b, 1);
  const wantFloat = desc.dtype === 'float32';
  if (wantFloat !== input instanceof Float32Array) {
    const got = input instanceof Float32Array ? 'Float32Array' : 'Uint8Array';
    throw modelError(modelName, `input "${desc.name}" is ${desc.dtype}; got a ${got}`);
  }
  if (input.length !== expected) {
    throw modelError(
      modelName,
      `input "${desc.name}" needs ${expected} values (shape [${desc.shape.join(',')}]), got ${input.length}`,
    );
  }
}
