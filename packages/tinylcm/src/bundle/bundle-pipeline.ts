import type { DistanceMetric } from '@tinymlops/contracts';
import type { RawFrame } from '../features/preprocess.js';
import { createPreprocessor, type Preprocessor } from '../features/preprocess.js';
import { FeatureTransform } from '../features/feature-transform.js';
import { KnnClassifier, type ReplacementPolicy } from '../classify/knn-classifier.js';
import type { NovelClassGateOptions } from '../classify/novel-class-gate.js';
import { knnFromDocument } from '../classify/knn-state.js';
import type { DriftDetectorConfigInput } from '@tinymlops/contracts';
import type { DetectorSet } from '../drift/detector-set.js';
import { buildDetectorSet } from '../drift/detector-set-config.js';
import { KnnDistanceMonitor, type KnnDistanceMonitorOptions } from '../drift/knn-distance-monitor.js';
import { createPipeline, type Pipeline, type PipelineDetector, type PipelineOptions } from '../pipeline.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import type { InferenceChoice, InferenceOptions } from '../runtime/choose-backend.js';
import { loadBundle, type LoadBundleOptions, type LoadedBundle } from './load-bundle.js';
import { loadBundleRuntime } from './bundle-runtime.js';

/** Options of {@link loadBundlePipeline}. */
export interface BundlePipelineOptions extends LoadBundleOptions {
  /** Share one runtime between pipelines (the fleet simulator does); it must come from the same bundle. */
  runtime?: ModelRuntime;
  /**
   * Inference backend and threads (device config `inference`); default: the fastest backend that
   * loads on this machine. Ignored when `runtime` is given.
   */
  inference?: InferenceOptions;
  /** KNN capacity and replacement policy (k and metric come from the bundle's knn-state.json). */
  /**
   * KNN settings beyond the bundle's. `novelClassGate` (on by default, with the bundle's labels as
   * the known classes) keeps classes learned on the device from swallowing the shipped ones;
   * `false` turns it off.
   */
  classifier?: {
    capacity?: number;
    replacement?: ReplacementPolicy;
    /** k and metric of a bundle without a KNN state (a KNN state carries its own). */
    k?: number;
    metric?: DistanceMetric;
    novelClassGate?: Omit<NovelClassGateOptions, 'knownClasses'> | false;
  };
  /** Drift detectors as config entries (`device.json` → `drift.detectors`); default the device's default set. */
  drift?: readonly DriftDetectorConfigInput[];
  /** Options merged into the knn-distance entries (their reference comes from detectors.json); `false` drops them. */
  knnDistance?: KnnDistanceMonitorOptions | false;
  /** More detector instances for the set. */
  detectors?: PipelineDetector[];
  log?: PipelineOptions<RawFrame, Uint8Array | Float32Array>['log'];
  monitor?: PipelineOptions<RawFrame, Uint8Array | Float32Array>['monitor'];
  logFeatures?: boolean;
  /**
   * Native SIMD kernels for the transform and the KNN scan when the XNNPACK addon is built
   * (default true): same results within float32 rounding. On the XNNPACK backend the transform
   * then runs inside the model call, as its last layer (`transformInModel`). `false` keeps the
   * JavaScript kernels, bit-for-bit the same on every machine (golden-stream tests).
   */
  nativeKernels?: boolean;
  /** Clock of the stage timings (default `performance.now`; a benchmark may pass process CPU time). */
  clock?: () => number;
}

/** Everything a device runs for one bundle, wired together. */
export interface BundlePipeline {
  bundle: LoadedBundle;
  runtime: ModelRuntime;
  preprocessor: Preprocessor;
  transform: FeatureTransform | undefined;
  classifier: KnnClassifier;
  /** The KNN-distance monitor of the detector set, if it has one. */
  knnDistance: KnnDistanceMonitor | undefined;
  /** The drift stage: every detector and the one episode tracker. */
  drift: DetectorSet;
  pipeline: Pipeline<RawFrame>;
  /**
   * True when the transform runs inside the model call (XNNPACK's graph ends with it): the
   * pipeline's transform stage is then empty and its time is part of inference.
   */
  transformInModel: boolean;
  /** The backend and threads chosen (undefined when the runtime was shared in). */
  inference: InferenceChoice | undefined;
  /** Frees the runtime unless it was shared in. */
  dispose(): void;
}

/**
 * Loads a verified bundle and builds the device data path from it (DESIGN §4): preprocessing per
 * `bundle.json`, the TFLite runtime, the scaler + PCA transform, the KNN with its initial state and
 * the KNN-distance monitor with the bundle's reference statistics.
 * @example
 * const dp = await loadBundlePipeline('models/fashion-mnv2');
 * const r = await dp.pipeline.process({ data: gray28x28, width: 28, height: 28, channels: 1 });
 * r.label; r.driftEvents;
 */
export async function loadBundlePipeline(
  dirOrBundle: string | LoadedBundle,
  options: BundlePipelineOptions = {},
): Promise<BundlePipeline> {
  const bundle = typeof dirOrBundle === 'string' ? await loadBundle(dirOrBundle, options) : dirOrBundle;
  let inference: InferenceChoice | undefined;
  const onChoice = (c: InferenceChoice) => (inference = c);
  const transform = bundle.transform ? FeatureTransform.fromDocument(bundle.transform) : undefined;
  const native = options.nativeKernels !== false;
  // Folded into the model call: after a 5 ms inference the caches are cold, and a separate
  // transform call re-reads its 1.3 MB matrix from memory at several times its warm cost.
  const head = native && !options.runtime ? transform?.affine() : undefined;
  const runtime =
    options.runtime ??
    (await loadBundleRuntime(bundle, { ...pick(options), onChoice, ...(head ? { featureHead: head } : {}) }));
  const transformInModel = transform !== undefined && runtime.featureHead === true;
  const preprocessor = createPreprocessor(bundle.manifest.input);
  const classifier = buildClassifier(bundle, transform, options);
  if (native) {
    if (!transformInModel) transform?.accelerate(); // one native matrix–vector product; same within float32 rounding
    classifier.accelerate(); // the Euclidean scan in one native call; same neighbours
  }
  const drift = buildDetectorSet(
    { detectors: options.drift, knnDistance: options.knnDistance, extra: options.detectors },
    { reference: bundle.detectors, labels: bundle.manifest.labels, knnState: bundle.knnState },
  );
  const knnDistance = drift.members.find((m) => m.detector instanceof KnnDistanceMonitor)?.detector as
    KnnDistanceMonitor | undefined;
  const featureName = runtime.featureTensor;
  const pipeline = createPipeline<RawFrame, Uint8Array | Float32Array>({
    extractor: {
      preprocess: (frame) => preprocessor.process(frame),
      extract: async (input) => {
        const out = (await runtime.run(input)).get(featureName);
        if (!out) throw new Error(`${runtime.modelName}: no output named ${featureName}`);
        return out;
      },
    },
    ...(transform && !transformInModel ? { transform } : {}),
    classifier,
    drift,
    ...(options.log ? { log: options.log } : {}),
    ...(options.monitor ? { monitor: options.monitor } : {}),
    ...(options.logFeatures === undefined ? {} : { logFeatures: options.logFeatures }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const shared = options.runtime !== undefined;
  return {
    bundle,
    runtime,
    preprocessor,
    transform,
    classifier,
    knnDistance,
    drift,
    pipeline,
    transformInModel,
    inference,
    dispose: () => (shared ? undefined : runtime.dispose()),
  };
}

const pick = (o: BundlePipelineOptions) => (o.inference ? { inference: o.inference } : {});

function buildClassifier(
  bundle: LoadedBundle,
  transform: FeatureTransform | undefined,
  options: BundlePipelineOptions,
): KnnClassifier {
  const c = options.classifier ?? {};
  const gate =
    c.novelClassGate === false ? {} : { novelClassGate: { ...c.novelClassGate, knownClasses: bundle.manifest.labels } };
  const policy = {
    ...(c.capacity ? { capacity: c.capacity } : {}),
    ...(c.replacement ? { replacement: c.replacement } : {}),
    ...gate,
  };
  if (bundle.knnState) return knnFromDocument(bundle.knnState, policy);
  const dim = transform?.outputDim ?? bundle.manifest.featureTensor.dim;
  return new KnnClassifier({ dim, ...(c.k ? { k: c.k } : {}), ...(c.metric ? { metric: c.metric } : {}), ...policy });
}
