/**
 * What every process of `npm run bench:device` feeds its model: the same frames of the committed
 * Fashion-MNIST sample, in the same order, so the TF Lite comparator and each backend row run on
 * identical inputs.
 */
import path from 'node:path';
import type { InputSpec } from '@tinymlops/contracts';
import { readFashionMnist } from '../packages/testkit/src/fashion-mnist.js';
import type { RawFrame } from '../packages/tinylcm/src/features/preprocess.js';
import { PROTOTYPE_OBJECT_INPUT } from '../packages/tinylcm/src/internal/test-paths.js';

/** Frames run before measuring (first inferences pay for code tier-up and cache warm-up). */
export const WARM_UP = 10;

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
