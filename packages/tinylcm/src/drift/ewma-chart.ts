/*
 * EWMA control chart. S. W. Roberts, "Control chart tests based on geometric moving averages",
 * Technometrics 1(3):239–250, 1959; exact (time-varying) control limits and run-length tables in
 * J. M. Lucas, M. S. Saccucci, "Exponentially weighted moving average control schemes",
 * Technometrics 32(1):1–12, 1990.
 */
import { type DetectorSnapshot, EWMAChartOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { parseOptions } from './internal/options.js';
import { StateReader } from './internal/snapshot-state.js';

export type { EWMAChartOptions } from '@tinymlops/contracts';
export { EWMA_CHART_DIRECTIONS } from '@tinymlops/contracts';

const NAME = 'EWMAChart';

/**
 * EWMA control chart for a real-valued stream such as prediction confidence. Estimates the
 * in-control mean μ and standard deviation σ from the first `minInstances` observations, then
 * tracks z ← λx + (1 − λ)z and fires when |z − μ| > L·σ·√(λ/(2 − λ)·(1 − (1 − λ)^(2t))).
 * O(1) time and memory per update.
 *
 * @example
 * const rng = new Prng(7);
 * const chart = new EWMAChart({ direction: 'down' });
 * for (let i = 0; i < 1500; i++) {
 *   const confidence = Math.min(1, 0.9 + 0.05 * rng.gaussian() - (i < 1000 ? 0 : 0.05));
 *   if (chart.update(confidence).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1008
 */
export class EWMAChart implements DriftDetector<number> {
  readonly kind = 'ewma-chart';
  readonly options: Readonly<ResolvedDetectorOptions<'ewma-chart'>>;
  #n = 0;
  #mean = 0;
  #m2 = 0;
  #sd = 0;
  #t = 0;
  #z = 0;
  // (1 − λ)^(2t), kept incrementally so the limit costs one multiplication per update.
  #decay = 1;
  #statistic = NaN;
  #drift = false;
  #ignored = 0;

  constructor(options: EWMAChartOptions = {}) {
    const o = parseOptions(NAME, EWMAChartOptions, options);
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** (z − μ) in units of the current control-limit standard deviation; NaN during warm-up. */
  get statistic(): number {
    return this.#statistic;
  }

  update(x: number): this {
    if (this.#drift) this.#clear();
    if (!Number.isFinite(x)) {
      this.#ignored++;
      return this;
    }
    if (this.#n < this.options.minInstances) {
      this.#warmUp(x);
      return this;
    }
    const { lambda, L, direction } = this.options;
    this.#t++;
    this.#z = lambda * x + (1 - lambda) * this.#z;
    this.#decay *= (1 - lambda) * (1 - lambda);
    const sigmaZ = this.#sd * Math.sqrt((lambda / (2 - lambda)) * (1 - this.#decay));
    // A constant warm-up (sd 0) makes any later change infinitely significant; guard the division.
    this.#statistic = sigmaZ > 0 ? (this.#z - this.#mean) / sigmaZ : 0;
    const up = direction !== 'down' && this.#statistic > L;
    const down = direction !== 'up' && this.#statistic < -L;
    this.#drift = up || down;
    return this;
  }

  #warmUp(x: number): void {
    this.#n++;
    const d = x - this.#mean;
    this.#mean += d / this.#n;
    this.#m2 += d * (x - this.#mean);
    if (this.#n === this.options.minInstances) {
      this.#sd = Math.sqrt(this.#m2 / (this.#n - 1));
      this.#z = this.#mean;
    }
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#n = 0;
    this.#mean = 0;
    this.#m2 = 0;
    this.#sd = 0;
    this.#t = 0;
    this.#z = 0;
    this.#decay = 1;
    this.#statistic = NaN;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      n: this.#n,
      mean: this.#mean,
      m2: this.#m2,
      sd: this.#sd,
      t: this.#t,
      z: this.#z,
      decay: this.#decay,
      statistic: Number.isNaN(this.#statistic) ? 'NaN' : this.#statistic,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link EWMAChart.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): EWMAChart {
    const r = new StateReader(snapshot, 'ewma-chart', 1);
    const d = new EWMAChart(snapshot.options as EWMAChartOptions);
    d.#n = r.number('n');
    d.#mean = r.number('mean');
    d.#m2 = r.number('m2');
    d.#sd = r.number('sd');
    d.#t = r.number('t');
    d.#z = r.number('z');
    d.#decay = r.number('decay');
    d.#statistic = r.number('statistic');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
