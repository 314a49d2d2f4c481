import type { DetectorSnapshot } from '@tinymlops/contracts';

/**
 * The contract every drift detector follows (River's final design, in TypeScript).
 *
 * - Mutate with `update(x)`, then read `driftDetected` (and `warningDetected` where the method has
 *   a warning zone). `update` returns `this`, never throws, never allocates in steady state.
 * - Auto-reset: the `update()` after a drift first clears the detector's state.
 * - Non-finite input (NaN, ±Infinity) is ignored and counted in `ignoredCount`.
 * - `snapshot()` is JSON-safe; the registry's `restoreDetector()` (or the class's `fromSnapshot`) rebuilds
 *   an identical detector.
 *
 * @example
 * const rng = new Prng(1);
 * const ph = new PageHinkley({ delta: 0.5, threshold: 15 });
 * for (let i = 0; i < 1500; i++) if (ph.update(rng.gaussian() + (i < 1000 ? 0 : 1)).driftDetected) console.log(`drift at ${i}`);
 * // => drift at 1013
 */
export interface DriftDetector<X = number> {
  /** The registry kind of this detector (`page-hinkley`, `adwin`, …). */
  readonly kind: string;
  /** True right after the update that detected drift. */
  readonly driftDetected: boolean;
  /** Number of non-finite inputs ignored since construction or the last `reset()`. */
  readonly ignoredCount: number;
  /** The method's current test statistic (for logs and `DriftEvent.statistics`); NaN before it is defined. */
  readonly statistic: number;
  /** Feed one observation. */
  update(x: X): this;
  /** Forget everything seen; equal to a fresh instance with the same options. */
  reset(): void;
  /** Versioned, JSON-safe state. */
  snapshot(): DetectorSnapshot;
}

/** A detector with a warning zone before drift (DDM family, HDDM). */
export interface DriftAndWarningDetector<X = number> extends DriftDetector<X> {
  /** True while the statistic is in the warning zone. */
  readonly warningDetected: boolean;
}
