/*
 * KSWIN, Kolmogorov–Smirnov WINdowing. C. Raab, M. Heusinger, F.-M. Schleif, "Reactive soft
 * prototype computing for concept drift streams", Neurocomputing 416:340–351, 2020. Defaults as
 * River (`river/drift/kswin.py`), including its extra requirement that the distance exceed 0.1.
 */
import { type DetectorSnapshot, KSWINOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import { Prng } from '../random/prng.js';
import type { DriftDetector } from './drift-detector.js';
import { insertionSort } from './internal/insertion-sort.js';
import { ksCriticalCount } from './internal/ks-test.js';
import { parseOptions } from './internal/options.js';
import { encodeNumbers, StateReader } from './internal/snapshot-state.js';

export type { KSWINOptions } from '@tinymlops/contracts';

const NAME = 'KSWIN';

/**
 * KSWIN on a real-valued stream: once the window is full, compares its newest `statSize`
 * observations with `statSize` drawn at random (seeded) from the older part, by an exact two-sample
 * KS test; drift when p ≤ alpha and the distance exceeds 0.1. The critical distance is computed
 * once at construction, so no p-value is evaluated per update. O(windowSize) time per update,
 * O(windowSize) memory.
 *
 * @example
 * const rng = new Prng(9);
 * const kswin = new KSWIN({ seed: 1 });
 * for (let i = 0; i < 1500; i++) {
 *   const x = rng.gaussian() + (i < 1000 ? 0 : 1.5);
 *   if (kswin.update(x).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 798
 * // => drift at 1018
 */
export class KSWIN implements DriftDetector<number> {
  readonly kind = 'kswin';
  readonly options: Readonly<ResolvedDetectorOptions<'kswin'>>;
  readonly #window: Float64Array;
  readonly #older: Int32Array;
  readonly #recent: Float64Array;
  readonly #sample: Float64Array;
  readonly #critical: number;
  readonly #rng: Prng;
  #head = 0;
  #size = 0;
  #distance = NaN;
  #drift = false;
  #ignored = 0;

  constructor(options: KSWINOptions = {}) {
    const o = parseOptions(NAME, KSWINOptions, options);
    this.options = Object.freeze(o);
    this.#window = new Float64Array(o.windowSize);
    this.#older = new Int32Array(o.windowSize - o.statSize);
    this.#recent = new Float64Array(o.statSize);
    this.#sample = new Float64Array(o.statSize);
    this.#critical = ksCriticalCount(o.statSize, o.alpha);
    this.#rng = new Prng(o.seed);
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** KS distance of the last test; NaN until the window is full. */
  get statistic(): number {
    return this.#distance;
  }

  update(x: number): this {
    if (this.#drift) this.#clear();
    if (!Number.isFinite(x)) {
      this.#ignored++;
      return this;
    }
    const { windowSize, statSize } = this.options;
    this.#window[this.#head] = x;
    this.#head = (this.#head + 1) % windowSize;
    if (this.#size < windowSize) this.#size++;
    if (this.#size < windowSize) return this;
    this.#draw();
    const count = ksCount(this.#sample, this.#recent);
    this.#distance = count / statSize;
    this.#drift = count >= this.#critical && this.#distance > 0.1;
    return this;
  }

  /** Fills #recent with the newest statSize values and #sample with a random older subset, both sorted. */
  #draw(): void {
    const { windowSize, statSize } = this.options;
    const older = this.#older;
    // #head is the oldest slot once the window is full; older part = offsets [0, W − S).
    for (let i = 0; i < older.length; i++) older[i] = i;
    for (let i = 0; i < statSize; i++) {
      const j = i + this.#rng.nextInt(older.length - i);
      const pick = older[j]!;
      older[j] = older[i]!;
      older[i] = pick;
      this.#sample[i] = this.#window[(this.#head + pick) % windowSize]!;
      this.#recent[i] = this.#window[(this.#head + windowSize - statSize + i) % windowSize]!;
    }
    insertionSort(this.#sample);
    insertionSort(this.#recent);
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
    this.#rng.state = this.options.seed;
  }

  #clear(): void {
    this.#window.fill(0);
    this.#head = 0;
    this.#size = 0;
    this.#distance = NaN;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      window: encodeNumbers(this.#window),
      head: this.#head,
      size: this.#size,
      rng: this.#rng.state,
      distance: Number.isNaN(this.#distance) ? 'NaN' : this.#distance,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link KSWIN.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): KSWIN {
    const r = new StateReader(snapshot, 'kswin', 1);
    const d = new KSWIN(snapshot.options as KSWINOptions);
    r.numbers('window', d.#window);
    d.#head = r.number('head');
    d.#size = r.number('size');
    d.#rng.state = r.number('rng');
    d.#distance = r.number('distance');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}

/** KS distance of two sorted samples of equal size, as a count difference (exact, no rounding). */
function ksCount(a: Float64Array, b: Float64Array): number {
  const n = a.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < n) {
    const v = Math.min(a[i]!, b[j]!);
    while (i < n && a[i] === v) i++;
    while (j < n && b[j] === v) j++;
    if (Math.abs(i - j) > d) d = Math.abs(i - j);
  }
  return d;
}
