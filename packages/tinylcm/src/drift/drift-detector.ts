import type { DetectorSnapshot } from '@tinymlops/contracts';

/**
 * The contract every drift detector follows (River's final design, in TypeScript).
 *
 * - Mutate with `update(x)`, then read `driftDetected` (and `warningDetected` where the method has
 *   a warning zone). `update` returns `this`, never throws, never allocates in steady state.
 * - Auto-reset: the `update()` after a drift first clears the detector's state.
 * - Non-finite input (NaN, ±Infinity) is ignored and counted in `ignoredCount`.
 * - `snapshot()` is JSON-safe; the registry's `restore()` rebuilds an identical detector.
 *
 * @example
 * const ph = new PageHinkley({ threshold: 20 });
 * for (const x of stream) if (ph.update(x).driftDetected) console.log('drift');
 */
export interface DriftDetector<X = number> {
  /** The registry kind of this detector (`page-hinkley`, `adwin`, …). */
  readonly kind: string;
  /** True right after the update that detected drift. */
  readonly driftDetected: boolean;
  /** Number of non-finite inputs ignored since construction or the last `reset()`. */
  readonly ignoredCount: number;
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
