/**
 * A device of the adaptation evaluation: the device's own adaptation wiring (`DeviceAdaptation`)
 * over a fresh copy of the bundle's KNN and KNN-distance monitor, fed the stream's precomputed
 * features. `restart()` is a reboot: new classifier and monitor from the bundle, the same data
 * folder (state snapshots, adaptation journal, pending samples).
 */
import {
  DetectorSet,
  DeviceAdaptation,
  DeviceDataDir,
  EpisodeIds,
  KnnDistanceMonitor,
  createPipeline,
  isDriftFlagged,
  knnFromDocument,
  type AdaptationTuning,
  type KnnClassifier,
  type LoadedBundle,
} from '../packages/tinylcm/src/index.js';
import type { OperationalMode } from '@tinymlops/contracts';
import type { StreamFrame } from './adaptation-stream.js';

/** One processed frame: the raw prediction and whether the frame went to the quarantine. */
export interface EvalStep {
  label: string;
  quarantined: boolean;
}

/**
 * Opens an evaluation device in `dir`; `now` is its injected clock.
 * @example
 * const d = openEvalDevice(bundle, 'server-assisted', dir, () => clock);
 * const { label, quarantined } = await d.step(frame, 'smp_f000001');
 */
export function openEvalDevice(
  bundle: LoadedBundle,
  mode: OperationalMode,
  dir: string,
  now: () => number,
  tuning?: AdaptationTuning,
) {
  if (!bundle.knnState || !bundle.detectors) throw new Error('the bundle needs knn-state.json and detectors.json');
  const boot = () => {
    // As loadBundlePipeline builds it on a device: the novel-class gate on, the bundle's labels known.
    const knownClasses = bundle.manifest.labels;
    const options = { capacity: 1000, replacement: 'class-balanced' as const, novelClassGate: { knownClasses } };
    const classifier: KnnClassifier = knnFromDocument(bundle.knnState, options);
    const monitor = KnnDistanceMonitor.fromReference(bundle.detectors!, { knownClasses });
    const drift = new DetectorSet([{ name: 'knn-distance', detector: monitor }]);
    const pipeline = createPipeline<StreamFrame>({ extractor: { extract: (f) => f.features }, classifier, drift });
    const adaptation = DeviceAdaptation.open({
      config: { mode, state: { keepVersions: 5 } },
      dataDir: new DeviceDataDir(dir),
      pipeline: { bundle, classifier, drift },
      now,
      ...(tuning ? { tuning } : {}),
    });
    return { classifier, pipeline, adaptation, episodes: new EpisodeIds() };
  };
  let device = boot();
  return {
    get adaptation() {
      return device.adaptation;
    },
    get classifier() {
      return device.classifier;
    },
    /** Runs one frame through the pipeline and the adaptation. */
    async step(f: StreamFrame, sampleId: string): Promise<EvalStep> {
      const r = await device.pipeline.process(f);
      const driftFlagged = isDriftFlagged(device.episodes.of(r));
      const { quarantined } = await device.adaptation.observe(r, { sampleId, driftFlagged });
      return { label: r.label ?? '', quarantined };
    },
    /** A reboot: everything in memory is rebuilt from the bundle and the data folder. */
    restart(): void {
      device = boot();
    },
  };
}

export type EvalDevice = ReturnType<typeof openEvalDevice>;
