/*
 * Options of the label-free monitors of predicted classes, neighbourhoods, feature vectors and the
 * KNN distance, one strict schema per kind (see drift-stream-options.ts for why they live here).
 */
import { z } from 'zod';
import { booleanOption, dependentRange, numberOption, oneOfOption, optionsObject } from './drift-option-rules.js';

const probability = () => numberOption({ min: 0, max: 1, minExclusive: true, maxExclusive: true });
const seed = () => numberOption({ integer: true }).default(42);
const positive = () => numberOption({ min: 0, minExclusive: true });

function referenceFits(r: readonly number[] | null, maxClasses: number): boolean {
  if (r === null) return true;
  const nonNegative = r.every((p) => Number.isFinite(p) && p >= 0);
  return r.length >= 2 && r.length <= maxClasses && nonNegative && r.some((p) => p > 0);
}

/** `block`: sliding window of the last predictions; `ewma`: exponentially weighted class frequencies. */
export const PREDICTION_DISTRIBUTION_METHODS = ['block', 'ewma'] as const;

/** Options of TinyLCM's `PredictionDistribution`. */
export const PredictionDistributionOptions = optionsObject({
  method: oneOfOption(PREDICTION_DISTRIBUTION_METHODS).default('block'),
  /** Predictions in the window (block), and before the first test (both). */
  windowSize: numberOption({ min: 1, integer: true }).default(50),
  /** Weight of the newest prediction in the `ewma` method. */
  smoothing: numberOption({ min: 0, max: 1, minExclusive: true }).default(0.05),
  /** Drift when the divergence (bits, in [0, 1]) exceeds this. */
  threshold: numberOption({ min: 0, max: 1, minExclusive: true }).default(0.2),
  /** Predictions that form the reference when `reference` is null. */
  minSamples: numberOption({ min: 1, integer: true }).default(100),
  /** Fixed reference class probabilities (normalised by the detector); null learns them. */
  reference: z.array(z.number()).nullable().default(null),
  /**
   * After a drift, forget the reference and the window and learn anew (true), or keep both and
   * signal drift on every update while the divergence stays above the threshold (false: one
   * episode lasts as long as the shift, and the return to the old mix raises no second alarm).
   */
  relearn: booleanOption().default(true),
  /** Class labels, when predictions arrive as labels rather than indices. */
  labels: z.array(z.string()).nullable().default(null),
  /** Largest number of classes (memory is preallocated for it). */
  maxClasses: numberOption({ min: 2, max: 65536, integer: true }).default(256),
}).superRefine((o, ctx) => {
  if (!referenceFits(o.reference, o.maxClasses)) {
    const message = `must be null or 2..${o.maxClasses} non-negative numbers, not all 0`;
    ctx.addIssue({ code: 'custom', path: ['reference'], input: o.reference, message });
  }
  const l = o.labels;
  if (l !== null && (l.length > o.maxClasses || new Set(l).size !== l.length)) {
    const message = `must be null or up to ${o.maxClasses} distinct strings`;
    ctx.addIssue({ code: 'custom', path: ['labels'], input: l, message });
  }
});
export type PredictionDistributionOptions = z.input<typeof PredictionDistributionOptions>;

/** Family-wise corrections of FeatureDistribution's per-component tests. */
export const FEATURE_DISTRIBUTION_CORRECTIONS = ['holm', 'bonferroni'] as const;

/** Options of TinyLCM's `FeatureDistribution`. */
export const FeatureDistributionOptions = optionsObject({
  /** Vectors that form the reference (and fit the PCA). */
  referenceSize: numberOption({ min: 10, integer: true }).default(200),
  /** Recent vectors compared with the reference. */
  windowSize: numberOption({ min: 5, integer: true }).default(100),
  /** Principal components tested. */
  components: numberOption({ min: 1, max: 64, integer: true }).default(3),
  /** Family-wise significance level per test. */
  alpha: probability().default(0.001),
  correction: oneOfOption(FEATURE_DISTRIBUTION_CORRECTIONS).default('holm'),
  /** Test every `stride` updates once the window is full. */
  stride: numberOption({ min: 1, integer: true }).default(10),
  /** Seed of the PCA start vectors. */
  seed: seed(),
});
export type FeatureDistributionOptions = z.input<typeof FeatureDistributionOptions>;

/** Options of TinyLCM's `MMDDrift`; `windowSize` ≤ referenceSize − 2, permutations ≥ 1/alpha − 1. */
export const MMDDriftOptions = optionsObject({
  /** Vectors that form the reference. */
  referenceSize: numberOption({ min: 10, max: 5000, integer: true }).default(200),
  /** Recent vectors compared with the reference. */
  windowSize: numberOption({ min: 2, integer: true }).default(50),
  /** Significance level of each test. */
  alpha: probability().default(0.001),
  /** Random splits of the reference for the null distribution. */
  permutations: numberOption({ min: 1, max: 1e6, integer: true }).default(999),
  /** RBF kernel width σ; null uses the median heuristic on the reference. */
  bandwidth: numberOption({ min: 0, minExclusive: true }).nullable().default(null),
  /** Seed of the permutations. */
  seed: seed(),
}).superRefine((o, ctx) => {
  dependentRange(ctx, 'windowSize', o.windowSize, { min: 2, max: o.referenceSize - 2, integer: true });
  const least = Math.ceil(1 / o.alpha - 1);
  dependentRange(ctx, 'permutations', o.permutations, { min: least, max: 1e6, integer: true });
});
export type MMDDriftOptions = z.input<typeof MMDDriftOptions>;

/** Options of TinyLCM's `NeighbourDiversity`. */
export const NeighbourDiversityOptions = optionsObject({
  /** A prediction is ambiguous when more than this many neighbours disagree with the majority. */
  maxMismatched: numberOption({ min: 0, max: 63, integer: true }).default(1),
  /** Predictions in the sliding window whose ambiguous rate is tested. */
  windowSize: numberOption({ min: 1, integer: true }).default(50),
  /** Predictions that form the reference rate. */
  minInstances: numberOption({ min: 1, integer: true }).default(200),
  /** Confidence of the Hoeffding bound on the rate difference. */
  delta: probability().default(0.001),
  /**
   * Also fire when the ambiguous rate falls (the unfamiliar inputs went away): after a drift the
   * reference is re-learnt on the drifted data, so a one-sided test would stay silent through
   * every later episode of the same kind.
   */
  twoSided: booleanOption().default(true),
});
export type NeighbourDiversityOptions = z.input<typeof NeighbourDiversityOptions>;

/** Options of TinyLCM's `KnnDistanceMonitor` (why these defaults: its class comment). */
export const KnnDistanceMonitorOptions = optionsObject({
  /** Reference mean of the mean neighbour distance (e.g. `detectors.json` → `knnDistance.mean`). */
  referenceMean: numberOption({}).nullable().default(null),
  /** Reference standard deviation; given together with `referenceMean`. */
  referenceStd: numberOption({ min: 0, minExclusive: true }).nullable().default(null),
  /** Frames collected to estimate the reference when none is given. */
  warmUpFrames: numberOption({ min: 2, integer: true }).default(100),
  /** Page-Hinkley slack δ in reference standard deviations. */
  deltaSigma: numberOption({ min: 0 }).default(0.75),
  /** Page-Hinkley start threshold λ in reference standard deviations. */
  lambdaSigma: numberOption({ min: 0, minExclusive: true }).default(10),
  /** An episode ends when PH < exitFraction·λ … */
  exitFraction: probability().default(0.5),
  /**
   * … for this many consecutive frames (15: a held-out mix alternates visible and near-invisible
   * objects, and 5 frames split one episode into two or three alerts).
   */
  exitFrames: numberOption({ min: 1, integer: true }).default(15),
  /** Frames after an episode ends during which no new episode may start. */
  cooldownFrames: numberOption({ min: 0, integer: true }).default(30),
  /**
   * Minimum KNN confidence for a frame to count as stable (0: every known-class frame). Confident
   * frames lie closer to the KNN state than average, so a reference learnt or tracked from them
   * only sits low (−0.28σ on fashion-mnv2 at 0.9) and raises false episodes.
   */
  minConfidence: numberOption({ min: 0, max: 1 }).default(0),
  /** Labels that count as known; null = any label the classifier predicts. */
  knownClasses: z.array(z.string()).nullable().default(null),
  /** EWMA rate of the reference update from stable frames outside episodes; 0 freezes it. */
  referenceUpdateRate: numberOption({ min: 0, max: 1, maxExclusive: true }).default(0.002),
  /**
   * A frame is a new observation only when its features moved more than this many reference mean
   * distances from the first frame of the current scene (a camera holds a scene for many frames,
   * and they are one observation). null: every frame is one.
   */
  sceneChange: numberOption({ min: 0, minExclusive: true }).nullable().default(0.8),
  /**
   * Judge each frame against the scale of its predicted class (`classScales`, which a detector
   * set derives from the bundle's KNN state when it is null) instead of against all classes.
   */
  perClass: booleanOption().default(true),
  /** Per label: the class's mean and std of the neighbour distance as factors of the reference's. */
  classScales: z
    .record(z.string(), z.strictObject({ mean: positive(), std: positive() }))
    .nullable()
    .default(null),
}).superRefine((o, ctx) => {
  if ((o.referenceMean === null) !== (o.referenceStd === null)) {
    const message = 'must be given together with referenceStd';
    ctx.addIssue({ code: 'custom', path: ['referenceMean'], input: o.referenceMean, message });
  }
});
export type KnnDistanceMonitorOptions = z.input<typeof KnnDistanceMonitorOptions>;

/** Options of TinyLCM's `ImageStatistics` (a camera-health check on the raw frame's pixels). */
export const ImageStatisticsOptions = optionsObject({
  /** Scenes whose statistics form the reference before the first test (the device's own camera). */
  warmup: numberOption({ min: 5, integer: true }).default(30),
  /** Quiet scenes added to the reference after the warm-up, up to this many in all. */
  maxReference: numberOption({ min: 5, integer: true }).default(200),
  /** Drift when a statistic's robust z-score (|x − median| / MAD) exceeds this (or its own limit below). */
  threshold: positive().default(40),
  /**
   * The same for the dark level (5th percentile), which a camera holds steady: a contrast loss
   * lifts a black background by 9+ grey levels.
   */
  darkThreshold: positive().default(20),
  /**
   * The same for grain (sensor noise in the flat parts of a scene), whose reference spread is
   * nearly constant: scenes reach about 11 on a stationary Fashion-MNIST stream, σ 56 noise 13+.
   */
  grainThreshold: positive().default(12),
  /**
   * The same for a fall of sharpness (fine detail per coarse slope): a stationary stream falls
   * to about 4, a blur 6+ (rises are not tested: noise raises it, and grain finds noise).
   */
  sharpnessThreshold: positive().default(6),
  /** Smallest MAD of a statistic, in grey levels, so a constant statistic (a black border) is not infinitely sensitive. */
  minSpread: positive().default(1),
  /** Pixels read per frame at most (a regular subsample of the frame). */
  maxPixels: numberOption({ min: 64, integer: true }).default(4096),
}).superRefine((o, ctx) => {
  if (o.maxReference < o.warmup) {
    const message = `must be >= warmup (${o.warmup})`;
    ctx.addIssue({ code: 'custom', path: ['maxReference'], input: o.maxReference, message });
  }
});
export type ImageStatisticsOptions = z.input<typeof ImageStatisticsOptions>;
