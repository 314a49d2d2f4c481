/*
 * HDDM_A, drift detection with Hoeffding bounds on moving averages ("A-test"). I. Frías-Blanco,
 * J. del Campo-Ávila, G. Ramos-Jiménez, R. Morales-Bueno, A. Ortiz-Díaz, Y. Caballero-Mota, "Online
 * and non-parametric drift detection methods based on Hoeffding's bounds", IEEE TKDE 27(3):810–823,
 * 2015. Defaults as River (`river/drift/binary/hddm_a.py`).
 */
import { type DetectorSnapshot, HDDMAOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftAndWarningDetector } from './drift-detector.js';
import { asBit } from './internal/as-bit.js';
import { parseOptions } from './internal/options.js';
import { StateReader } from './internal/snapshot-state.js';

export type { HDDMAOptions } from '@tinymlops/contracts';

const NAME = 'HDDMA';
const STATE_KEYS = ['n', 'c', 'nMin', 'cMin', 'nMax', 'cMax'] as const;

/**
 * HDDM_A on an error stream (`true` = the model was wrong): keeps the cut point where the mean
 * plus its Hoeffding bound was lowest and fires when the mean since then is significantly higher.
 * O(1) time and memory per update.
 *
 * @example
 * const rng = new Prng(5);
 * const hddm = new HDDMA();
 * for (let i = 0; i < 3000; i++) {
 *   const error = rng.next() < (i < 2000 ? 0.1 : 0.3);
 *   if (hddm.update(error).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 2107
 */
export class HDDMA implements DriftAndWarningDetector<boolean> {
  readonly kind = 'hddm-a';
  readonly options: Readonly<ResolvedDetectorOptions<'hddm-a'>>;
  // Totals since the last drift, and the totals at the lowest (min) and highest (max) cut points.
  readonly #s = { n: 0, c: 0, nMin: 0, cMin: 0, nMax: 0, cMax: 0 };
  #warning = false;
  #drift = false;
  #ignored = 0;

  constructor(options: HDDMAOptions = {}) {
    const o = parseOptions(NAME, HDDMAOptions, options);
    this.options = Object.freeze(o);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get warningDetected(): boolean {
    return this.#warning;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** The current error rate minus the rate at the lowest cut point; NaN before the first input. */
  get statistic(): number {
    const s = this.#s;
    return s.n === 0 || s.nMin === 0 ? NaN : s.c / s.n - s.cMin / s.nMin;
  }

  update(x: boolean): this {
    if (this.#drift) this.#clear();
    const bit = asBit(x);
    if (bit < 0) {
      this.#ignored++;
      return this;
    }
    const s = this.#s;
    s.n++;
    s.c += bit;
    const ln = Math.log(1 / this.options.driftConfidence);
    const mean = s.c / s.n;
    const bound = Math.sqrt(ln / (2 * s.n));
    if (s.nMin === 0 || s.cMin / s.nMin + Math.sqrt(ln / (2 * s.nMin)) >= mean + bound) {
      s.nMin = s.n;
      s.cMin = s.c;
    }
    if (s.nMax === 0 || s.cMax / s.nMax - Math.sqrt(ln / (2 * s.nMax)) <= mean - bound) {
      s.nMax = s.n;
      s.cMax = s.c;
    }
    this.#drift = this.#changed(this.options.driftConfidence);
    this.#warning = !this.#drift && this.#changed(this.options.warningConfidence);
    return this;
  }

  #changed(confidence: number): boolean {
    const s = this.#s;
    if (meanChanged(s.cMin, s.nMin, s.c, s.n, confidence, 1)) return true;
    return this.options.twoSidedTest && meanChanged(s.cMax, s.nMax, s.c, s.n, confidence, -1);
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    for (const k of STATE_KEYS) this.#s[k] = 0;
    this.#warning = false;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = { ...this.#s, warning: this.#warning, drift: this.#drift, ignored: this.#ignored };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link HDDMA.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): HDDMA {
    const r = new StateReader(snapshot, 'hddm-a', 1);
    const d = new HDDMA(snapshot.options as HDDMAOptions);
    for (const k of STATE_KEYS) d.#s[k] = r.number(k);
    d.#warning = r.boolean('warning');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}

/**
 * Hoeffding test that the mean of the observations after the cut (total minus cut) differs from the
 * mean up to the cut by more than the bound, in the direction `sign` (1: increase, -1: decrease).
 */
function meanChanged(cCut: number, nCut: number, c: number, n: number, confidence: number, sign: 1 | -1): boolean {
  if (nCut === n) return false;
  const m = (n - nCut) / nCut / n;
  const bound = Math.sqrt((m / 2) * Math.log(2 / confidence));
  return sign * (c / n - cCut / nCut) >= bound;
}
