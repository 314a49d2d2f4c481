import {
  DRIFT_DETECTOR_KINDS,
  DetectorSnapshot,
  TinyMLOpsError,
  issuesToDetails,
  type DriftDetectorKind,
  type DriftInputType,
} from '@tinymlops/contracts';
import { ADWIN } from './adwin.js';
import { CUSUM } from './cusum.js';
import { DDM } from './ddm.js';
import type { DriftDetector } from './drift-detector.js';
import { EDDM } from './eddm.js';
import { EWMAChart } from './ewma-chart.js';
import { FeatureDistribution } from './feature-distribution.js';
import { HDDMA } from './hddm-a.js';
import { HDDMW } from './hddm-w.js';
import { ImageStatistics } from './image-statistics.js';
import { KnnDistanceMonitor } from './knn-distance-monitor.js';
import { KSWIN } from './kswin.js';
import { MMDDrift } from './mmd-drift.js';
import { NeighbourDiversity } from './neighbour-diversity.js';
import { PageHinkley } from './page-hinkley.js';
import { PredictionDistribution } from './prediction-distribution.js';

export type { DriftDetectorKind, DriftInputType } from '@tinymlops/contracts';

/** Every option with its default; `null` where the default is "not set" (e.g. a reference learnt at run time). */
export type DetectorDefaults<O> = { readonly [K in keyof O]-?: Exclude<O[K], undefined> | null };

/** One registry entry: how to build, restore and describe a detector kind. */
export interface DriftDetectorEntry<O extends object, D extends DriftDetector<unknown>> {
  /** Builds a detector; options are validated and unknown keys rejected. */
  create(options?: O): D;
  /** Rebuilds a detector from its snapshot. */
  restore(snapshot: DetectorSnapshot): D;
  /** Every option with its default value. */
  readonly defaults: DetectorDefaults<O>;
  /** What it consumes (from the contracts table of kinds). */
  readonly inputType: DriftInputType;
  /** One line for config docs and the dashboard. */
  readonly description: string;
}

interface DetectorClass<O extends object, D> {
  new (options?: O): D & { readonly options: DetectorDefaults<O> };
  fromSnapshot(snapshot: DetectorSnapshot): D;
}

function entry<O extends object, D extends DriftDetector<unknown>>(
  kind: DriftDetectorKind,
  cls: DetectorClass<O, D>,
  description: string,
): DriftDetectorEntry<O, D> {
  return Object.freeze({
    create: (options?: O) => new cls(options),
    restore: (snapshot: DetectorSnapshot) => cls.fromSnapshot(snapshot),
    defaults: new cls().options,
    inputType: DRIFT_DETECTOR_KINDS[kind].input,
    description,
  });
}

/**
 * Every drift detector by kind: the names config files, model bundles and snapshots use.
 *
 * @example
 * const detector = DRIFT_DETECTORS['page-hinkley'].create({ threshold: 20 });
 * console.log(DRIFT_DETECTORS['page-hinkley'].defaults.threshold, detector.options.threshold);
 * // => 50 20
 */
export const DRIFT_DETECTORS = Object.freeze({
  'page-hinkley': entry('page-hinkley', PageHinkley, 'Page-Hinkley test on the mean of a real-valued stream'),
  cusum: entry('cusum', CUSUM, 'Two-sided standardised CUSUM on the mean of a real-valued stream'),
  adwin: entry('adwin', ADWIN, 'Adaptive windowing: mean change of a real-valued stream'),
  kswin: entry('kswin', KSWIN, 'Sliding-window Kolmogorov–Smirnov test on a real-valued stream'),
  'ewma-chart': entry('ewma-chart', EWMAChart, 'EWMA control chart, e.g. on prediction confidence'),
  ddm: entry('ddm', DDM, 'Drift Detection Method on an error stream (labels needed)'),
  eddm: entry('eddm', EDDM, 'Early DDM: distance between errors (labels needed)'),
  'hddm-a': entry('hddm-a', HDDMA, 'Hoeffding-bound test on the error rate (labels needed)'),
  'hddm-w': entry('hddm-w', HDDMW, 'Weighted Hoeffding-bound test on the error rate (labels needed)'),
  'prediction-distribution': entry(
    'prediction-distribution',
    PredictionDistribution,
    'Jensen–Shannon divergence of predicted classes',
  ),
  'feature-distribution': entry(
    'feature-distribution',
    FeatureDistribution,
    'Per-component KS tests on PCA projections of features',
  ),
  mmd: entry('mmd', MMDDrift, 'Kernel MMD of feature vectors, permutation-calibrated threshold'),
  'neighbour-diversity': entry('neighbour-diversity', NeighbourDiversity, 'Rate of ambiguous KNN neighbourhoods'),
  'knn-distance': entry(
    'knn-distance',
    KnnDistanceMonitor,
    'Page-Hinkley episodes on the mean KNN neighbour distance (label-free)',
  ),
  'image-statistics': entry(
    'image-statistics',
    ImageStatistics,
    "Robust z-scores of the raw frame's pixel statistics against the camera's first scenes",
  ),
} satisfies Record<DriftDetectorKind, unknown>);

/** The options type of a detector kind. */
export type DriftDetectorOptions<K extends DriftDetectorKind> = Parameters<(typeof DRIFT_DETECTORS)[K]['create']>[0];

function lookup(
  kind: string,
  code: 'INVALID_OPTION' | 'STATE_CORRUPT',
): DriftDetectorEntry<object, DriftDetector<unknown>> {
  if (Object.hasOwn(DRIFT_DETECTORS, kind))
    return DRIFT_DETECTORS[kind as DriftDetectorKind] as DriftDetectorEntry<object, DriftDetector<unknown>>;
  const known = Object.keys(DRIFT_DETECTORS).join(', ');
  throw new TinyMLOpsError(code, `unknown drift detector kind "${kind}" (known: ${known})`);
}

/**
 * Builds a detector by kind, e.g. from a config file.
 *
 * @example
 * const d = createDetector('ddm', { warmStart: 50 });
 * console.log(d.kind);
 * // => ddm
 */
export function createDetector<K extends DriftDetectorKind>(
  kind: K,
  options?: DriftDetectorOptions<K>,
): ReturnType<(typeof DRIFT_DETECTORS)[K]['create']> {
  return lookup(kind, 'INVALID_OPTION').create(options ?? {}) as ReturnType<(typeof DRIFT_DETECTORS)[K]['create']>;
}

/**
 * Rebuilds any detector from a snapshot (e.g. parsed from JSON). Throws VALIDATION_FAILED when the
 * value is not a DetectorSnapshot and STATE_CORRUPT for an unknown kind or a malformed state.
 *
 * @example
 * const ph = new PageHinkley();
 * const copy = restoreDetector(JSON.parse(JSON.stringify(ph.update(1).snapshot())));
 * console.log(copy.kind, JSON.stringify(copy.snapshot()) === JSON.stringify(ph.snapshot()));
 * // => page-hinkley true
 */
export function restoreDetector(snapshot: unknown): DriftDetector<unknown> {
  const parsed = DetectorSnapshot.safeParse(snapshot);
  if (!parsed.success) {
    const details = issuesToDetails(parsed.error.issues);
    const summary = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    throw new TinyMLOpsError('VALIDATION_FAILED', `invalid detector snapshot: ${summary}`, { details });
  }
  return lookup(parsed.data.kind, 'STATE_CORRUPT').restore(parsed.data);
}
