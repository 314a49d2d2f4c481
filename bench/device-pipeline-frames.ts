/**
 * What every process of `npm run bench:device` feeds its model: the same frames of the committed
 * Fashion-MNIST sample, in the same order, so the TF Lite comparator and each backend row run on
 * identical inputs.
 */
import path from 'node:path';
import type { InputSpec } from '@tinymlops/contracts';
import { readFashionMnist } from '../packages/tinylcm/src/datasets/fashion-mnist.js';
import type { RawFrame } from '../packages/tinylcm/src/features/preprocess.js';
import { PROTOTYPE_OBJECT_INPUT } from '../packages/tinylcm/src/internal/test-paths.js';

/** Frames run before measuring (first inferences pay for code tier-up and cache warm-up). */
export const WARM_UP = 10;

/**
 * Frames each JavaScript row runs before the {@link WARM_UP} frames, so the timed frames see the
 * frame path as a device does after its first seconds: V8 compiles a function with its optimizing
 * tier only after enough calls, and the pipeline's stages are called once per frame —
 * `node --trace-opt` showed the KNN's `predict` optimized after ~300 frames, the pipeline's
 * `run` after ~600, `logFrame` and the drift monitor's `updateWithContext` only after ~1800–2300.
 * Until then their baseline code cost ~2× in classify, drift and log (docs/benchmarks.md). Capped
 * by {@link JIT_WARM_UP_SECONDS} so slow backends do not stretch the run. They continue the frame
 * sequence past the timed ones (wrapping round the sample), so the timed frames stay exactly those
 * the TF Lite comparator runs, in the same order. `--warm-up 0` measures as before (10 frames).
 */
export const JIT_WARM_UP = 2500;

/** Upper bound of the {@link JIT_WARM_UP} phase per row, seconds of the row's CPU time. */
export const JIT_WARM_UP_SECONDS = 40;

/** Input of the prototype's 224² MobileNetV2 (`model_object.tflite`; raw RGB bytes, area resize). */
export const POC_INPUT: InputSpec = { ...PROTOTYPE_OBJECT_INPUT, shape: [...PROTOTYPE_OBJECT_INPUT.shape] };

/** Where the prototype's scenario-2 files are, below the shared directory. */
export const POC_DIR = 'reference-artifacts/tinymlops-poc/scenario2';

/** Frame `i` of the run: a fixed stride through all classes, held-out ones included. */
export async function benchFrames(repo: string): Promise<(i: number) => RawFrame> {
  const data = await readFashionMnist(path.join(repo, 'datasets/fashion-mnist'));
  return (i) => {
    const k = (i * 7919) % data.count;
    return { data: data.images.subarray(k * 784, (k + 1) * 784), width: 28, height: 28, channels: 1 };
  };
}
