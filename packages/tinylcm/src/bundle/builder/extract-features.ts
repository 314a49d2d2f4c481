import { TinyMLOpsError, type InputSpec } from '@tinymlops/contracts';
import { createPreprocessor } from '../../features/preprocess.js';
import { loadModelRuntime, type ModelRuntime } from '../../runtime/model-runtime.js';
import type { ExampleImage } from './example-set.js';

/** Progress of a long build step: `done` of `total` items of `stage`. */
export interface BuildProgress {
  stage: 'features' | 'transform' | 'reference';
  done: number;
  total: number;
}

/** A model runtime with the bundle's preprocessing in front of it. */
export interface FeatureExtractor {
  runtime: ModelRuntime;
  /** Runs every image through preprocessing and the model; returns raw feature vectors in order. */
  extract(images: readonly ExampleImage[], onProgress?: (p: BuildProgress) => void): Promise<Float32Array[]>;
  dispose(): void;
}

/**
 * Loads the model with LiteRT.js and checks that its input and feature tensor agree with what the
 * flatbuffer said (`input.shape`, `featureDim`), then extracts features the way a device will.
 * @example
 * const fx = await createFeatureExtractor(bytes, { modelName: 'fashion', input, featureTensor: 'feature_pool', featureDim: 1280 });
 * const rows = await fx.extract(images);
 */
export async function createFeatureExtractor(
  bytes: Uint8Array,
  o: { modelName: string; input: InputSpec; featureTensor: string; featureDim: number },
): Promise<FeatureExtractor> {
  const runtime = await loadModelRuntime(bytes, { modelName: o.modelName, featureTensor: o.featureTensor });
  const out = runtime.outputs.find((t) => t.name === runtime.featureTensor);
  const dim = out?.shape.reduce((a, b) => a * b, 1);
  if (dim !== o.featureDim) {
    runtime.dispose();
    throw new TinyMLOpsError(
      'MODEL_LOAD_FAILED',
      `model "${o.modelName}": feature tensor has ${dim} values, expected ${o.featureDim}`,
    );
  }
  const preprocessor = createPreprocessor(o.input);
  return {
    runtime,
    async extract(images, onProgress) {
      const rows: Float32Array[] = [];
      for (const img of images) {
        const frame = await img.load();
        let input;
        try {
          input = preprocessor.process(frame);
        } catch (e) {
          throw new TinyMLOpsError('VALIDATION_FAILED', `${img.source}: ${(e as Error).message}`, { cause: e });
        }
        const features = (await runtime.run(input)).get(runtime.featureTensor) as Float32Array;
        rows.push(Float32Array.from(features));
        onProgress?.({ stage: 'features', done: rows.length, total: images.length });
      }
      return rows;
    },
    dispose: () => runtime.dispose(),
  };
}
