/**
 * The device's default detector set on recorded pipeline streams, through the code a device runs:
 * `buildDetectorSet` with `DEVICE_DEFAULT_DETECTORS` and the bundle's reference, labels and KNN
 * state, fed every frame's signals (label, confidence, mean distance, neighbours, all transformed
 * features). An alarm is the start of a set episode.
 */
import { readFileSync } from 'node:fs';
import type { DetectorsReferenceDocument, DriftDetectorConfigInput, KnnStateDocument } from '@tinymlops/contracts';
import {
  DEVICE_DEFAULT_DETECTORS,
  buildDetectorSet,
  periodicAlarms,
  score,
  type DetectorSetContext,
  type RawFrame,
} from '@tinymlops/tinylcm';
import type { EvaluationRow } from './drift-evaluation.js';
import { realStreamName, type Recording } from './real-streams.js';

/** The detector name of the rows. */
export const DEVICE_DEFAULT = 'device-default';
/** The signal name of the rows: the set sees whole frames, not one signal. */
export const DEVICE_FRAMES = 'device frames';

const json = <T>(file: string): T => JSON.parse(readFileSync(new URL(file, import.meta.url), 'utf8')) as T;

/** What `loadBundlePipeline('models/fashion-mnv2')` gives the detector set. */
export function bundleContext(): DetectorSetContext {
  const manifest = json<{ labels: string[] }>('../models/fashion-mnv2/bundle.json');
  return {
    reference: json<DetectorsReferenceDocument>('../models/fashion-mnv2/detectors.json'),
    labels: manifest.labels,
    knnState: json<KnnStateDocument>('../models/fashion-mnv2/knn-state.json'),
  };
}

/**
 * Frame indices where a fresh default set (or `detectors`) opens an episode; `images` are the
 * recording's raw frames (realFrames), for the detectors of the pixels.
 */
export function deviceDefaultAlarms(
  rec: Recording,
  context: DetectorSetContext,
  images?: readonly RawFrame[],
  detectors: readonly DriftDetectorConfigInput[] = DEVICE_DEFAULT_DETECTORS,
): number[] {
  const set = buildDetectorSet({ detectors }, context);
  const alarms: number[] = [];
  for (let i = 0; i < rec.labels.length; i++) {
    const frame = {
      label: rec.predicted[i]!,
      confidence: rec.confidence[i]!,
      meanDistance: rec.distance[i]!,
      neighbours: rec.neighbours[i]!.map((label) => ({ label })),
      features: rec.features.subarray(i * rec.dim, (i + 1) * rec.dim),
      image: images?.[i],
    };
    if (set.update(frame, i).some((e) => e.phase === 'start')) alarms.push(i);
  }
  return alarms;
}

/** One evaluation row of the default set on a recording. */
export function deviceDefaultRow(
  rec: Recording,
  context: DetectorSetContext,
  images?: readonly RawFrame[],
): EvaluationRow {
  const length = rec.labels.length;
  const window = { deltaMax: rec.deltaMax };
  const result = score(deviceDefaultAlarms(rec, context, images), rec.driftPoints, length, window);
  const baseline = score(periodicAlarms(length, rec.deltaMax), rec.driftPoints, length, window);
  const stream = realStreamName(rec, DEVICE_FRAMES);
  return { detector: DEVICE_DEFAULT, stream, inputType: 'frame', ...result, baselineF1: baseline.f1 };
}
