/** The detector configurations of the evaluation: every registry kind at its defaults, plus documented settings. */
import { readFileSync } from 'node:fs';
import {
  DRIFT_DETECTORS,
  KnnDistanceMonitor,
  createDetector,
  type DriftDetector,
  type DriftDetectorKind,
} from '@tinymlops/tinylcm';

/** A detector configuration under evaluation. */
export interface Candidate {
  readonly name: string;
  readonly kind: DriftDetectorKind;
  readonly create: () => DriftDetector<unknown>;
  /** Only streams whose name matches (settings that make sense for one signal); default all. */
  readonly streams?: RegExp;
}

/** Feeds f(x) to a number detector: how a mean detector is pointed at spread (|x − μ|). */
function mapped(kind: DriftDetectorKind, f: (x: number) => number): () => DriftDetector<unknown> {
  return () => {
    const inner = createDetector(kind) as DriftDetector<number>;
    const outer: DriftDetector<unknown> = {
      kind: inner.kind,
      get driftDetected() {
        return inner.driftDetected;
      },
      get ignoredCount() {
        return inner.ignoredCount;
      },
      get statistic() {
        return inner.statistic;
      },
      update(x: unknown) {
        inner.update(f(x as number));
        return outer;
      },
      reset: () => inner.reset(),
      snapshot: () => inner.snapshot(),
    };
    return outer;
  };
}

const REAL_DISTANCE = /^real .*: knn distance$/;
const REAL_CONFIDENCE = /^real .*: confidence$/;

export const CANDIDATES: readonly Candidate[] = [
  ...(Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[]).map((kind) => ({
    name: kind,
    kind,
    create: () => createDetector(kind) as DriftDetector<unknown>,
    // The KNN-distance monitor tests for a rise of the mean neighbour distance; a confidence stream is not its input.
    ...(kind === 'knn-distance' ? { streams: /^(?!real .*: confidence$)/ } : {}),
  })),
  // River's Page-Hinkley defaults (δ 0.005, λ 50) assume a unit scale; in σ units of the signal
  // (distance σ 2.73, confidence σ 0.18 on known classes) the knn-distance defaults δ 0.75σ, λ 8σ:
  {
    name: 'page-hinkley (delta 2, threshold 22)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 2, threshold: 22 }),
    streams: REAL_DISTANCE,
  },
  {
    name: 'page-hinkley (delta 0.13, threshold 1.4)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 0.13, threshold: 1.4 }),
    streams: REAL_CONFIDENCE,
  },
  {
    name: 'page-hinkley (delta 0.5, threshold 15)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 0.5, threshold: 15 }),
    // Scaled for the unit-σ synthetic streams; the real ones get their own σ-scaled settings below.
    streams: /^(?!real )/,
  },
  { name: 'kswin (alpha 0.0001)', kind: 'kswin', create: () => createDetector('kswin', { alpha: 0.0001 }) },
  // The variance streams have mean 0, so |x| is |x − μ|; on a device subtract the reference mean.
  { name: 'adwin on abs(x)', kind: 'adwin', create: mapped('adwin', Math.abs) },
  { name: 'eddm (beta 0.8)', kind: 'eddm', create: () => createDetector('eddm', { alpha: 0.85, beta: 0.8 }) },
  // The monitor on the distance alone, reference from the bundle's detectors.json: without labels
  // there is no per-class scale and without features every frame counts (device-default has both).
  {
    name: 'knn-distance (bundle reference)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference()),
    streams: REAL_DISTANCE,
  },
  {
    name: 'knn-distance (bundle reference, λ 8σ: former default)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference(), { lambdaSigma: 8 }),
    streams: REAL_DISTANCE,
  },
  {
    name: 'knn-distance (bundle reference, δ 0.5σ, λ 6σ)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference(), { deltaSigma: 0.5, lambdaSigma: 6 }),
    streams: REAL_DISTANCE,
  },
  {
    name: 'knn-distance (bundle reference, δ 1σ, λ 25σ: old defaults)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference(), { deltaSigma: 1, lambdaSigma: 25 }),
    streams: REAL_DISTANCE,
  },
];

function bundleReference() {
  const file = new URL('../models/fashion-mnv2/detectors.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof KnnDistanceMonitor.fromReference>[0];
}
