/*
 * Options of the detectors on a real-valued or an error stream, one strict schema per kind: the
 * only statement of each option's name, type, range and default. TinyLCM's detectors parse their
 * options with these schemas, and `DriftDetectorConfig` (config files) reuses them.
 */
import { z } from 'zod';
import { booleanOption, dependentRange, numberOption, oneOfOption, optionsObject } from './drift-option-rules.js';

const probability = () => numberOption({ min: 0, max: 1, minExclusive: true, maxExclusive: true });
const weight = () => numberOption({ min: 0, max: 1, minExclusive: true });

/** Which direction of mean change Page-Hinkley watches. */
export const PAGE_HINKLEY_MODES = ['both', 'up', 'down'] as const;

/** Options of TinyLCM's `PageHinkley` (River's defaults). */
export const PageHinkleyOptions = optionsObject({
  /** Observations before the test may fire. */
  minInstances: numberOption({ min: 1, integer: true }).default(30),
  /** Magnitude of change tolerated, in input units. */
  delta: numberOption({ min: 0 }).default(0.005),
  /** Alarm when the cumulative deviation exceeds this, in input units. */
  threshold: numberOption({ min: 0, minExclusive: true }).default(50),
  /** Fading factor of the cumulative sums, in (0, 1]. */
  alpha: weight().default(1 - 0.0001),
  /** `up` watches increases, `down` decreases, `both` either. */
  mode: oneOfOption(PAGE_HINKLEY_MODES).default('both'),
});
export type PageHinkleyOptions = z.input<typeof PageHinkleyOptions>;

/** Options of TinyLCM's `CUSUM`. */
export const CUSUMOptions = optionsObject({
  /** Observations used to estimate the in-control mean and spread before testing. */
  minInstances: numberOption({ min: 2, integer: true }).default(30),
  /** Allowance (slack) per observation, in standard deviations: half the shift to detect. */
  k: numberOption({ min: 0 }).default(0.5),
  /**
   * Decision interval, in standard deviations. 8: the textbook h = 5 has an in-control run length
   * near 465 samples two-sided, i.e. a false alarm every few minutes on a camera stream (River
   * issue #1914); h = 8 puts it near 10,000.
   */
  h: numberOption({ min: 0, minExclusive: true }).default(8),
});
export type CUSUMOptions = z.input<typeof CUSUMOptions>;

/** Options of TinyLCM's `ADWIN`. */
export const ADWINOptions = optionsObject({
  /** Confidence of the cut test; smaller means fewer false alarms and longer delays. */
  delta: probability().default(0.002),
  /** Test for a cut every `clock` updates (the CPU versus delay dial). */
  clock: numberOption({ min: 1, integer: true }).default(32),
  /** Buckets kept per row of the exponential histogram before merging. */
  maxBuckets: numberOption({ min: 2, max: 64, integer: true }).default(5),
  /** Minimum length of each sub-window of a cut. */
  minWindowLength: numberOption({ min: 1, integer: true }).default(5),
  /** Observations before the first test. */
  gracePeriod: numberOption({ min: 1, integer: true }).default(10),
});
export type ADWINOptions = z.input<typeof ADWINOptions>;

/** Options of TinyLCM's `KSWIN`; `windowSize` must be at least twice `statSize`. */
export const KSWINOptions = optionsObject({
  /** Significance level of the KS test. */
  alpha: probability().default(0.005),
  /** Observations kept. */
  windowSize: numberOption({ min: 2, integer: true }).default(100),
  /** Size of the recent sample and of the random older sample compared with it. */
  statSize: numberOption({ min: 2, max: 1000, integer: true }).default(30),
  /** Seed of the sampling generator. */
  seed: numberOption({ integer: true }).default(42),
}).superRefine((o, ctx) => dependentRange(ctx, 'windowSize', o.windowSize, { min: 2 * o.statSize, integer: true }));
export type KSWINOptions = z.input<typeof KSWINOptions>;

/** Which direction of change an EWMA chart watches. */
export const EWMA_CHART_DIRECTIONS = ['both', 'up', 'down'] as const;

/** Options of TinyLCM's `EWMAChart`. */
export const EWMAChartOptions = optionsObject({
  /** Weight of the newest observation, in (0, 1]. */
  lambda: weight().default(0.1),
  /**
   * Width of the control limits, in standard deviations of the EWMA. 4: with lambda 0.1 the
   * textbook L = 3 has an in-control run length near 840 samples (Lucas & Saccucci, Table 3), too
   * short for a device that watches a stream for hours; with limits estimated from a warm-up we
   * measured 3.4 false alarms per 10,000 N(0,1) samples at L = 3.5 and 0.8 at L = 4.
   */
  L: numberOption({ min: 0, minExclusive: true }).default(4),
  /** Observations used to estimate the in-control mean and standard deviation. */
  minInstances: numberOption({ min: 2, integer: true }).default(200),
  /** `down` for confidence streams (drift lowers confidence), `both` by default. */
  direction: oneOfOption(EWMA_CHART_DIRECTIONS).default('both'),
});
export type EWMAChartOptions = z.input<typeof EWMAChartOptions>;

/** Options of TinyLCM's `DDM`; `driftThreshold` must be at least `warningThreshold`. */
export const DDMOptions = optionsObject({
  /** Observations before warning or drift can be raised. */
  warmStart: numberOption({ min: 1, integer: true }).default(30),
  /** Warning when p + s exceeds p_min + warningThreshold · s_min. */
  warningThreshold: numberOption({ min: 0, minExclusive: true }).default(2),
  /** Drift when p + s exceeds p_min + driftThreshold · s_min. */
  driftThreshold: numberOption({ min: 0 }).default(3),
}).superRefine((o, ctx) => dependentRange(ctx, 'driftThreshold', o.driftThreshold, { min: o.warningThreshold }));
export type DDMOptions = z.input<typeof DDMOptions>;

/** Options of TinyLCM's `EDDM`; `beta` must not exceed `alpha`. */
export const EDDMOptions = optionsObject({
  /** Errors observed before warning or drift can be raised. */
  warmStart: numberOption({ min: 2, integer: true }).default(30),
  /** Warning when (m + 2s) / max(m + 2s) falls below this. */
  alpha: probability().default(0.95),
  /** Drift when (m + 2s) / max(m + 2s) falls below this. */
  beta: weight().default(0.9),
}).superRefine((o, ctx) => dependentRange(ctx, 'beta', o.beta, { min: 0, max: o.alpha, minExclusive: true }));
export type EDDMOptions = z.input<typeof EDDMOptions>;

const hddmConfidences = {
  /** Confidence level of the drift test. */
  driftConfidence: probability().default(0.001),
  /** Confidence level of the warning test (at least `driftConfidence`). */
  warningConfidence: probability().default(0.005),
  /** Also fire on a decrease of the error rate. */
  twoSidedTest: booleanOption().default(false),
};

const warningAboveDrift = (o: { driftConfidence: number; warningConfidence: number }, ctx: z.RefinementCtx) =>
  dependentRange(ctx, 'warningConfidence', o.warningConfidence, { min: o.driftConfidence, max: 1, maxExclusive: true });

/** Options of TinyLCM's `HDDMA`. */
export const HDDMAOptions = optionsObject(hddmConfidences).superRefine(warningAboveDrift);
export type HDDMAOptions = z.input<typeof HDDMAOptions>;

/** Options of TinyLCM's `HDDMW`. */
export const HDDMWOptions = optionsObject({
  ...hddmConfidences,
  /** Weight of the newest observation in the moving averages. */
  lambda: weight().default(0.05),
}).superRefine(warningAboveDrift);
export type HDDMWOptions = z.input<typeof HDDMWOptions>;
