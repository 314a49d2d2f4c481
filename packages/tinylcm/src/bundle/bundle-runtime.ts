import {
  loadModelRuntime,
  modelError,
  type LoadModelRuntimeOptions,
  type ModelRuntime,
} from '../runtime/model-runtime.js';
import type { LoadedBundle } from './load-bundle.js';

/**
 * Loads the model of a verified bundle with the backend its format calls for (`tflite` → LiteRT.js,
 * `onnx` → onnxruntime-node) and the bundle's feature tensor, then checks the feature tensor has
 * the dimension `bundle.json` declares.
 * @example
 * const bundle = await loadBundle('models/fashion-mnv2');
 * const rt = await loadBundleRuntime(bundle);
 * const features = (await rt.run(input)).get(rt.featureTensor);
 */
export async function loadBundleRuntime(
  bundle: LoadedBundle,
  options: Pick<LoadModelRuntimeOptions, 'onLog' | 'lowMemory'> = {},
): Promise<ModelRuntime> {
  const m = bundle.manifest;
  const rt = await loadModelRuntime(bundle.modelBytes, {
    ...options,
    modelName: `${m.id}@${m.version}`,
    backend: m.model.format === 'onnx' ? 'onnx' : 'litert',
    featureTensor: m.featureTensor.name,
  });
  const out = rt.outputs.find((o) => o.name === rt.featureTensor);
  const dim = out?.shape.reduce((a, b) => a * b, 1);
  if (dim !== m.featureTensor.dim) {
    rt.dispose();
    throw modelError(
      rt.modelName,
      `feature tensor "${rt.featureTensor}" has ${dim ?? 0} values, bundle.json says ${m.featureTensor.dim}`,
    );
  }
  const inShape = rt.inputs[0]?.shape ?? [];
  if (inShape.join(',') !== m.input.shape.join(',')) {
    rt.dispose();
    throw modelError(
      rt.modelName,
      `model input shape [${inShape.join(',')}] differs from bundle.json input.shape [${m.input.shape.join(',')}]`,
    );
  }
  return rt;
}
