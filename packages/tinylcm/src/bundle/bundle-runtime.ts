import { modelError, type LoadModelRuntimeOptions, type ModelRuntime } from '../runtime/model-runtime.js';
import {
  loadFastestRuntime,
  type InferenceChoice,
  type InferenceOptions,
  type ModelSources,
} from '../runtime/choose-backend.js';
import type { LoadedBundle } from './load-bundle.js';

/** Options of {@link loadBundleRuntime}. */
export interface BundleRuntimeOptions extends Pick<LoadModelRuntimeOptions, 'onLog' | 'lowMemory' | 'featureHead'> {
  /** Backend and threads; by default the fastest backend that loads here (see choose-backend.ts). */
  inference?: InferenceOptions;
  /** Told which backend was chosen and why (the device logs it and reports it in heartbeats). */
  onChoice?: (choice: InferenceChoice) => void;
}

/** The model and its twins by format. */
export function bundleModelSources(bundle: LoadedBundle): ModelSources {
  const all = [{ format: bundle.manifest.model.format, bytes: bundle.modelBytes }, ...bundle.twins];
  return Object.fromEntries(all.map((f) => [f.format, f.bytes])) as ModelSources;
}

/**
 * Loads the model of a verified bundle with the fastest backend available for its formats (the
 * model and its twins), or the pinned one, and the bundle's feature tensor; then checks the
 * feature tensor has the dimension `bundle.json` declares.
 * @example
 * const bundle = await loadBundle('models/fashion-mnv2');
 * const rt = await loadBundleRuntime(bundle, { onChoice: (c) => console.log(c.summary) });
 * const features = (await rt.run(input)).get(rt.featureTensor);
 */
export async function loadBundleRuntime(
  bundle: LoadedBundle,
  options: BundleRuntimeOptions = {},
): Promise<ModelRuntime> {
  const m = bundle.manifest;
  const { inference, onChoice, ...rest } = options;
  const opts = { ...rest, modelName: `${m.id}@${m.version}`, featureTensor: m.featureTensor.name };
  const { runtime: rt, choice } = await loadFastestRuntime(bundleModelSources(bundle), opts, inference);
  onChoice?.(choice);
  const out = rt.outputs.find((o) => o.name === rt.featureTensor);
  const dim = out?.shape.reduce((a, b) => a * b, 1);
  // With a feature head in the model, its output replaces the features: check that size instead.
  const want = rt.featureHead ? options.featureHead?.bias.length : m.featureTensor.dim;
  if (dim !== want) {
    rt.dispose();
    const what = rt.featureHead ? 'its feature head has' : 'bundle.json says';
    throw modelError(rt.modelName, `feature tensor "${rt.featureTensor}" has ${dim ?? 0} values, ${what} ${want}`);
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
