import { TinyMLOpsError } from '@tinymlops/contracts';

/** Options of {@link KnnDistanceMonitor}; every field is optional. */
export interface KnnDistanceMonitorOptions {
  /** Reference mean of the mean neighbour distance (e.g. `detectors.json` → `knnDistance.mean`). */
  referenceMean?: number;
  /** Reference standard deviation; required together with `referenceMean`. */
  referenceStd?: number;
  /** Frames collected to estimate the reference when none is given (default 100). */
  warmUpFrames?: number;
  /** Page-Hinkley slack δ in reference standard deviations (default 0.75). */
  deltaSigma?: number;
  /** Page-Hinkley start threshold λ in reference standard deviations (default 8). */
  lambdaSigma?: number;
  /** Episode ends when PH < exitFraction·λ … (default 0.5) */
  exitFraction?: number;
  /**
   * … for this many consecutive frames (default 15: a held-out mix alternates visible and
   * near-invisible objects, and 5 frames split one episode into two or three alerts).
   */
  exitFrames?: number;
  /** Frames after an episode ends during which no new episode may start (default 30). */
  cooldownFrames?: number;
  /**
   * Minimum KNN confidence for a frame to count as stable (default 0: every known-class frame).
   * Confident frames lie closer to the KNN state than average, so a reference learnt or tracked
   * from them only sits low (−0.28σ on fashion-mnv2 at 0.9) and raises false episodes.
   */
  minConfidence?: number;
  /** Labels that count as known; omitted = any label the classifier predicts. */
  knownClasses?: readonly string[];
  /** EWMA rate of the reference update from stable frames outside episodes; 0 freezes it (default 0.002). */
  referenceUpdateRate?: number;
}

/** Options with defaults applied (what `snapshot().options` records). */
export interface ResolvedKnnDistanceOptions {
  referenceMean: number | null;
  referenceStd: number | null;
  warmUpFrames: number;
  deltaSigma: number;
  lambdaSigma: number;
  exitFraction: number;
  exitFrames: number;
  cooldownFrames: number;
  minConfidence: number;
  knownClasses: string[] | null;
  referenceUpdateRate: number;
}

/**
 * Applies defaults and validates; a bad option throws `INVALID_OPTION` naming it and its range.
 * @example
 * console.log(resolveKnnDistanceOptions({ lambdaSigma: 15 }).deltaSigma);
 * // => 0.75
 */
export function resolveKnnDistanceOptions(o: KnnDistanceMonitorOptions): ResolvedKnnDistanceOptions {
  const r: ResolvedKnnDistanceOptions = {
    referenceMean: o.referenceMean ?? null,
    referenceStd: o.referenceStd ?? null,
    warmUpFrames: o.warmUpFrames ?? 100,
    deltaSigma: o.deltaSigma ?? 0.75,
    lambdaSigma: o.lambdaSigma ?? 8,
    exitFraction: o.exitFraction ?? 0.5,
    exitFrames: o.exitFrames ?? 15,
    cooldownFrames: o.cooldownFrames ?? 30,
    minConfidence: o.minConfidence ?? 0,
    knownClasses: o.knownClasses ? [...o.knownClasses] : null,
    referenceUpdateRate: o.referenceUpdateRate ?? 0.002,
  };
  check('warmUpFrames', Number.isInteger(r.warmUpFrames) && r.warmUpFrames >= 2, 'an integer ≥ 2', r.warmUpFrames);
  check('deltaSigma', Number.isFinite(r.deltaSigma) && r.deltaSigma >= 0, 'a finite number ≥ 0', r.deltaSigma);
  check('lambdaSigma', Number.isFinite(r.lambdaSigma) && r.lambdaSigma > 0, 'a finite number > 0', r.lambdaSigma);
  check('exitFraction', r.exitFraction > 0 && r.exitFraction < 1, 'in (0, 1)', r.exitFraction);
  check('exitFrames', Number.isInteger(r.exitFrames) && r.exitFrames >= 1, 'an integer ≥ 1', r.exitFrames);
  check(
    'cooldownFrames',
    Number.isInteger(r.cooldownFrames) && r.cooldownFrames >= 0,
    'an integer ≥ 0',
    r.cooldownFrames,
  );
  check('minConfidence', r.minConfidence >= 0 && r.minConfidence <= 1, 'in [0, 1]', r.minConfidence);
  check(
    'referenceUpdateRate',
    r.referenceUpdateRate >= 0 && r.referenceUpdateRate < 1,
    'in [0, 1)',
    r.referenceUpdateRate,
  );
  const { referenceMean: mean, referenceStd: std } = r;
  check('referenceMean', (mean === null) === (std === null), 'given together with referenceStd', mean);
  check('referenceMean', mean === null || Number.isFinite(mean), 'a finite number', mean);
  check('referenceStd', std === null || (Number.isFinite(std) && std > 0), 'a finite number > 0', std);
  return r;
}

function check(name: string, ok: boolean, range: string, got: unknown): void {
  if (!ok)
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `KnnDistanceMonitor: option "${name}" must be ${range}, got ${String(got)}`,
    );
}
