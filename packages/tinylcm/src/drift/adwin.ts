/*
 * ADWIN, ADaptive WINdowing. A. Bifet, R. Gavaldà, "Learning from time-changing data with adaptive
 * windowing", SIAM International Conference on Data Mining (SDM), 2007. Exponential histogram and
 * defaults as River (`river/drift/adwin_c.pyx`); every bucket of a row is a candidate cut, as in
 * MOA (River skips the newest one per row, River issue #1539).
 */
import { ADWINOptions, type DetectorSnapshot, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { parseOptions } from './internal/options.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { ADWINOptions } from '@tinymlops/contracts';

const NAME = 'ADWIN';
// Row r holds buckets of 2^r observations; 48 rows cover 2^48 observations, more than any device sees.
const MAX_ROWS = 48;

/**
 * ADWIN on a real-valued stream: keeps a window compressed as an exponential histogram and fires
 * when two sub-windows have means that differ by more than a Hoeffding-type bound. On drift the
 * next update clears the window (River keeps the newer sub-window and so can fire twice for one
 * change, River issue #574). O(log W) memory, O(log W) amortised time per update, O(log W) per test.
 *
 * @example
 * const rng = new Prng(8);
 * const adwin = new ADWIN();
 * for (let i = 0; i < 1500; i++) {
 *   const x = rng.gaussian() + (i < 1000 ? 0 : 1);
 *   if (adwin.update(x).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1055
 */
export class ADWIN implements DriftDetector<number> {
  readonly kind = 'adwin';
  readonly options: Readonly<ResolvedDetectorOptions<'adwin'>>;
  readonly #slots: number;
  readonly #totals: Float64Array;
  readonly #variances: Float64Array;
  readonly #counts = new Int32Array(MAX_ROWS);
  #rows = 1;
  #width = 0;
  #total = 0;
  #variance = 0;
  #tick = 0;
  #drift = false;
  #ignored = 0;

  constructor(options: ADWINOptions = {}) {
    const o = parseOptions(NAME, ADWINOptions, options);
    this.options = Object.freeze(o);
    this.#slots = o.maxBuckets + 1;
    this.#totals = new Float64Array(MAX_ROWS * this.#slots);
    this.#variances = new Float64Array(MAX_ROWS * this.#slots);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Number of observations in the window. */
  get width(): number {
    return this.#width;
  }

  /** Mean of the window; NaN when it is empty. */
  get statistic(): number {
    return this.#width === 0 ? NaN : this.#total / this.#width;
  }

  update(x: number): this {
    if (this.#drift) this.#clear();
    if (!Number.isFinite(x)) {
      this.#ignored++;
      return this;
    }
    this.#tick++;
    this.#insert(x);
    if (this.#tick % this.options.clock === 0 && this.#width > this.options.gracePeriod) this.#drift = this.#detect();
    return this;
  }

  #insert(x: number): void {
    this.#push(0, x, 0);
    this.#width++;
    if (this.#width > 1) {
      const d = x - this.#total / (this.#width - 1);
      this.#variance += ((this.#width - 1) * d * d) / this.#width;
    }
    this.#total += x;
    this.#compress();
  }

  #push(row: number, total: number, variance: number): void {
    const at = row * this.#slots + this.#counts[row]!;
    this.#totals[at] = total;
    this.#variances[at] = variance;
    this.#counts[row]!++;
  }

  /** Merges the two oldest buckets of each full row into one bucket of the next row. */
  #compress(): void {
    const slots = this.#slots;
    for (let row = 0; this.#counts[row] === slots && row + 1 < MAX_ROWS; row++) {
      if (row + 1 === this.#rows) this.#counts[this.#rows++] = 0;
      const at = row * slots;
      const n = 2 ** row;
      const t0 = this.#totals[at]!;
      const t1 = this.#totals[at + 1]!;
      const between = (n / 2) * (t0 / n - t1 / n) ** 2;
      this.#push(row + 1, t0 + t1, this.#variances[at]! + this.#variances[at + 1]! + between);
      this.#totals.copyWithin(at, at + 2, at + slots);
      this.#variances.copyWithin(at, at + 2, at + slots);
      this.#counts[row] = slots - 2;
    }
  }

  /** Scans every cut from the oldest bucket forward; true at the first significant one. */
  #detect(): boolean {
    const { minWindowLength: minLen } = this.options;
    const deltaPrime = Math.log((2 * Math.log(this.#width)) / this.options.delta);
    const varianceTerm = (2 * this.#variance) / this.#width;
    let n0 = 0;
    let u0 = 0;
    for (let row = this.#rows - 1; row >= 0; row--) {
      const n2 = 2 ** row;
      const count = this.#counts[row]!;
      for (let k = 0; k < count; k++) {
        n0 += n2;
        u0 += this.#totals[row * this.#slots + k]!;
        const n1 = this.#width - n0;
        if (row === 0 && k === count - 1) return false;
        if (n0 < minLen || n1 < minLen) continue;
        const m = 1 / (n0 - minLen + 1) + 1 / (n1 - minLen + 1);
        const epsilon = Math.sqrt(m * varianceTerm * deltaPrime) + (2 / 3) * deltaPrime * m;
        if (Math.abs(u0 / n0 - (this.#total - u0) / n1) > epsilon) return true;
      }
    }
    return false;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#counts.fill(0);
    this.#totals.fill(0);
    this.#variances.fill(0);
    this.#rows = 1;
    this.#width = 0;
    this.#total = 0;
    this.#variance = 0;
    this.#tick = 0;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const used = this.#rows * this.#slots;
    const state = {
      counts: Array.from(this.#counts.subarray(0, this.#rows)),
      totals: encodeNumbers(this.#totals.subarray(0, used)),
      variances: encodeNumbers(this.#variances.subarray(0, used)),
      width: this.#width,
      total: this.#total,
      variance: this.#variance,
      tick: this.#tick,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link ADWIN.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): ADWIN {
    const r = new StateReader(snapshot, 'adwin', 1);
    const d = new ADWIN(snapshot.options as ADWINOptions);
    const counts = r.list('counts');
    d.#rows = Math.min(Math.max(counts.length, 1), MAX_ROWS);
    d.#counts.set(counts.slice(0, d.#rows));
    const used = d.#rows * d.#slots;
    r.numbers('totals', d.#totals.subarray(0, used));
    r.numbers('variances', d.#variances.subarray(0, used));
    d.#width = r.number('width');
    d.#total = r.number('total');
    d.#variance = r.number('variance');
    d.#tick = r.number('tick');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}
