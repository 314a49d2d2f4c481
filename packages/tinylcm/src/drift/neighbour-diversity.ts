/*
 * Neighbour-diversity monitor: the rate of KNN predictions whose neighbourhood disagrees, compared
 * with a reference rate by a Hoeffding bound (W. Hoeffding, "Probability inequalities for sums of
 * bounded random variables", JASA 58(301):13–30, 1963). Neighbourhood disagreement as a label-free
 * uncertainty signal follows the k-NN novelty scores of e.g. H. Jiang, B. Kim, M. Guan, M. Gupta,
 * "To trust or not to trust a classifier", NeurIPS 2018.
 */
import { type DetectorSnapshot, NeighbourDiversityOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import type { DriftDetector } from './drift-detector.js';
import { parseOptions } from './internal/options.js';
import { StateReader } from './internal/snapshot-state.js';

export type { NeighbourDiversityOptions } from '@tinymlops/contracts';

/**
 * The input of {@link NeighbourDiversity}: the k nearest neighbours of one prediction, in any
 * order, as labels, class indices, or objects with a `label` (the contracts' `Neighbour`, so a
 * KNN prediction's `neighbours` array can be passed as it is, without copying).
 */
export type NeighbourLabels = ArrayLike<string | number | { readonly label: string | number }>;

const NAME = 'NeighbourDiversity';

/**
 * Label-free detector on KNN neighbourhoods: a prediction is ambiguous when more than
 * `maxMismatched` of its k neighbours disagree with their majority label; drift when the ambiguous
 * rate of the last `windowSize` predictions differs from the reference rate by more than
 * √(ln(1/δ)/2 · (1/windowSize + 1/minInstances)) (only rises count with `twoSided: false`). O(k²) time per update (k ≤ 64), O(windowSize) memory.
 *
 * @example
 * const rng = new Prng(11);
 * const monitor = new NeighbourDiversity();
 * const labels = ['a', 'a', 'a', 'a', 'a'];
 * for (let i = 0; i < 1500; i++) {
 *   // each neighbour is off-class with probability 5 %, then 25 % (an unknown object appears)
 *   for (let j = 0; j < 5; j++) labels[j] = rng.next() < (i < 1000 ? 0.05 : 0.25) ? 'b' + rng.nextInt(3) : 'a';
 *   if (monitor.update(labels).driftDetected) console.log(`drift at ${i}`);
 * }
 * // => drift at 1072
 */
export class NeighbourDiversity implements DriftDetector<NeighbourLabels> {
  readonly kind = 'neighbour-diversity';
  readonly options: Readonly<ResolvedDetectorOptions<'neighbour-diversity'>>;
  readonly #ring: Uint8Array;
  readonly #bound: number;
  #referenceN = 0;
  #referenceHits = 0;
  #head = 0;
  #size = 0;
  #hits = 0;
  #drift = false;
  #ignored = 0;

  constructor(options: NeighbourDiversityOptions = {}) {
    const o = parseOptions(NAME, NeighbourDiversityOptions, options);
    this.options = Object.freeze(o);
    this.#ring = new Uint8Array(o.windowSize);
    this.#bound = Math.sqrt((Math.log(1 / o.delta) / 2) * (1 / o.windowSize + 1 / o.minInstances));
  }

  get driftDetected(): boolean {
    return this.#drift;
  }

  get ignoredCount(): number {
    return this.#ignored;
  }

  /** Ambiguous rate of the window minus the reference rate; NaN until both exist. */
  get statistic(): number {
    if (this.#size < this.options.windowSize || this.#referenceN < this.options.minInstances) return NaN;
    return this.#hits / this.#size - this.#referenceHits / this.#referenceN;
  }

  update(x: NeighbourLabels): this {
    if (this.#drift) this.#clear();
    const mismatched = mismatches(x);
    if (mismatched < 0) {
      this.#ignored++;
      return this;
    }
    const ambiguous = mismatched > this.options.maxMismatched ? 1 : 0;
    if (this.#referenceN < this.options.minInstances) {
      this.#referenceN++;
      this.#referenceHits += ambiguous;
      return this;
    }
    const w = this.options.windowSize;
    if (this.#size === w) this.#hits -= this.#ring[this.#head]!;
    else this.#size++;
    this.#ring[this.#head] = ambiguous;
    this.#hits += ambiguous;
    this.#head = (this.#head + 1) % w;
    const change = this.statistic;
    this.#drift = this.#size === w && (change > this.#bound || (this.options.twoSided && -change > this.#bound));
    return this;
  }

  reset(): void {
    this.#clear();
    this.#ignored = 0;
  }

  #clear(): void {
    this.#ring.fill(0);
    this.#referenceN = 0;
    this.#referenceHits = 0;
    this.#head = 0;
    this.#size = 0;
    this.#hits = 0;
    this.#drift = false;
  }

  snapshot(): DetectorSnapshot {
    const state = {
      referenceN: this.#referenceN,
      referenceHits: this.#referenceHits,
      ring: Array.from(this.#ring),
      head: this.#head,
      size: this.#size,
      hits: this.#hits,
      drift: this.#drift,
      ignored: this.#ignored,
    };
    return { kind: this.kind, schemaVersion: 1, options: { ...this.options }, state };
  }

  /** Rebuilds a detector from {@link NeighbourDiversity.snapshot} output. */
  static fromSnapshot(snapshot: DetectorSnapshot): NeighbourDiversity {
    const r = new StateReader(snapshot, 'neighbour-diversity', 1);
    const d = new NeighbourDiversity(snapshot.options as NeighbourDiversityOptions);
    d.#referenceN = r.number('referenceN');
    d.#referenceHits = r.number('referenceHits');
    r.numbers('ring', d.#ring);
    d.#head = r.number('head');
    d.#size = r.number('size');
    d.#hits = r.number('hits');
    d.#drift = r.boolean('drift');
    d.#ignored = r.number('ignored');
    return d;
  }
}

/** The label of one neighbour entry; undefined when it has none usable. */
function labelOf(entry: unknown): string | number | undefined {
  const label = entry !== null && typeof entry === 'object' ? (entry as { label?: unknown }).label : entry;
  if (typeof label === 'string' || (typeof label === 'number' && Number.isFinite(label))) return label;
  return undefined;
}

/** k minus the size of the largest group of equal labels; -1 for an unusable input. */
function mismatches(labels: NeighbourLabels): number {
  if (labels === null || typeof labels !== 'object' || typeof labels.length !== 'number') return -1;
  const k = labels.length;
  if (k === 0 || k > 64) return -1;
  let best = 0;
  for (let i = 0; i < k; i++) {
    const label = labelOf(labels[i]);
    if (label === undefined) return -1;
    let count = 0;
    for (let j = 0; j < k; j++) if (labelOf(labels[j]) === label) count++;
    if (count > best) best = count;
  }
  return k - best;
}
