/*
 * Ground-truth evaluation of drift detectors, after River's `river/drift/evaluate.py` and the metrics
 * discussed in River PR #1963 (episode recall, detection delay, false alarms, mean time between
 * false alarms, F1 against a "fire every N samples" baseline). Pure functions: shared by the
 * benchmark, tests and (later) the server's re-analysis.
 */
import type { DriftDetector } from './drift-detector.js';
import type { DriftInputType } from './registry.js';

/** A stream with known drift points. Real streams (e.g. from the pipeline) use the same shape. */
export interface DriftStream<X = unknown> {
  readonly name: string;
  readonly inputType: DriftInputType;
  readonly values: readonly X[];
  /** Sorted indices where a new concept starts; empty for a no-drift stream. */
  readonly driftPoints: readonly number[];
  /** Alarms later than this after a drift point do not count as detecting it. Default: the caller's. */
  readonly deltaMax?: number;
}

/** Scores of one detector on one stream. Undefined metrics are NaN, as in River. */
export interface DriftScore {
  readonly alarms: number;
  readonly episodes: number;
  readonly detectedEpisodes: number;
  readonly missedEpisodes: number;
  /** Delay of the first alarm in each detected episode, in samples. */
  readonly delays: readonly number[];
  readonly delayMedian: number;
  readonly delayP90: number;
  /** Alarms that are not the first alarm inside an episode window. */
  readonly falseAlarms: number;
  /** False alarms per 10,000 samples outside episode windows. */
  readonly falseAlarmsPer10k: number;
  /** Samples outside episode windows per false alarm (mean time between false alarms); Infinity if none. */
  readonly mtfa: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

/** The q-quantile (0..1) of `xs` by the nearest-rank method; NaN for an empty list. */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Scores alarm indices against drift points. Episode i is the window [dᵢ, min(dᵢ + deltaMax,
 * dᵢ₊₁, length)); its first alarm detects it with delay alarm − dᵢ, every other alarm is false.
 *
 * @example
 * const s = score([5, 105, 150, 400], [100, 300], 1000, { deltaMax: 50 });
 * console.log(s.detectedEpisodes, s.missedEpisodes, s.falseAlarms, s.delayMedian, s.f1.toFixed(3));
 * // => 1 1 3 5 0.333
 */
export function score(
  alarms: readonly number[],
  driftPoints: readonly number[],
  length: number,
  options: { deltaMax: number },
): DriftScore {
  const delays: number[] = [];
  let inWindows = 0;
  for (let e = 0; e < driftPoints.length; e++) {
    const start = driftPoints[e]!;
    const end = Math.min(start + options.deltaMax, driftPoints[e + 1] ?? length, length);
    inWindows += Math.max(0, end - start);
    const first = alarms.find((a) => a >= start && a < end);
    if (first !== undefined) delays.push(first - start);
  }
  const falseAlarms = alarms.length - delays.length;
  const clean = length - inWindows;
  const precision = alarms.length === 0 ? NaN : delays.length / alarms.length;
  const recall = driftPoints.length === 0 ? NaN : delays.length / driftPoints.length;
  return {
    alarms: alarms.length,
    episodes: driftPoints.length,
    detectedEpisodes: delays.length,
    missedEpisodes: driftPoints.length - delays.length,
    delays,
    delayMedian: quantile(delays, 0.5),
    delayP90: quantile(delays, 0.9),
    falseAlarms,
    falseAlarmsPer10k: clean > 0 ? (falseAlarms * 10_000) / clean : NaN,
    mtfa: falseAlarms === 0 ? Infinity : clean / falseAlarms,
    precision,
    recall,
    f1: f1(precision, recall),
  };
}

function f1(precision: number, recall: number): number {
  if (Number.isNaN(recall)) return NaN;
  if (Number.isNaN(precision) || precision + recall === 0) return 0;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The baseline of River PR #1963: an alarm every `every` samples (at every−1, 2·every−1, …).
 *
 * @example
 * console.log(periodicAlarms(10, 4).join(','));
 * // => 3,7
 */
export function periodicAlarms(length: number, every: number): number[] {
  const out: number[] = [];
  for (let i = every - 1; i < length; i += every) out.push(i);
  return out;
}

/** Feeds `values` to `detector` and returns the indices where it raised drift. */
export function alarmsOf<X>(detector: DriftDetector<X>, values: readonly X[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < values.length; i++) if (detector.update(values[i]!).driftDetected) out.push(i);
  return out;
}

/** A detector's score on a stream, with the F1 of the periodic baseline that fires every deltaMax samples. */
export interface StreamEvaluation extends DriftScore {
  readonly baselineF1: number;
}

/**
 * Runs a fresh detector over a stream and scores it; the baseline fires every `deltaMax` samples,
 * the period at which it detects every episode.
 *
 * @example
 * const rng = new Prng(3);
 * const values = Array.from({ length: 4000 }, (_, i) => rng.gaussian() + (i >= 2000 ? 2 : 0));
 * const stream = { name: 'step', inputType: 'number', values, driftPoints: [2000] };
 * const r = evaluateStream(() => new CUSUM(), stream, { deltaMax: 100 });
 * console.log(r.delays.join(','), r.falseAlarms, r.f1, r.baselineF1.toFixed(3));
 * // => 3 0 1 0.049
 */
export function evaluateStream<X>(
  create: () => DriftDetector<X>,
  stream: DriftStream<X>,
  options: { deltaMax: number },
): StreamEvaluation {
  const deltaMax = stream.deltaMax ?? options.deltaMax;
  const length = stream.values.length;
  const result = score(alarmsOf(create(), stream.values), stream.driftPoints, length, { deltaMax });
  const baseline = score(periodicAlarms(length, deltaMax), stream.driftPoints, length, { deltaMax });
  return { ...result, baselineF1: baseline.f1 };
}
