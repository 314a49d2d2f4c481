import { norm } from './distance.js';

/**
 * The KNN's sample storage: one flat row-major `Float32Array` plus parallel typed arrays for
 * norms, interned label ids, timestamps and insertion sequence numbers. Fixed capacity, so adding
 * and evicting never allocate (except when a never-seen label is interned).
 * @example
 * const s = new KnnStore(256, 200);
 * s.append(features, 'lego', Date.now());
 */
export class KnnStore {
  readonly dim: number;
  readonly capacity: number;
  readonly features: Float32Array;
  readonly norms: Float64Array;
  readonly #labelIds: Int32Array;
  readonly #timestamps: Float64Array;
  readonly #inserted: Float64Array;
  readonly #labelNames: string[] = [];
  readonly #labelIndex = new Map<string, number>();
  #classCounts: number[] = [];
  #count = 0;
  #nextInsert = 0;

  constructor(dim: number, capacity: number) {
    this.dim = dim;
    this.capacity = capacity;
    this.features = new Float32Array(dim * capacity);
    this.norms = new Float64Array(capacity);
    this.#labelIds = new Int32Array(capacity);
    this.#timestamps = new Float64Array(capacity);
    this.#inserted = new Float64Array(capacity);
  }

  /** Number of stored samples. */
  get count(): number {
    return this.#count;
  }

  /** Number of interned labels (including labels with no stored sample left). */
  get labelCount(): number {
    return this.#labelNames.length;
  }

  /** Appends a sample; the caller ensures there is room. */
  append(features: Float32Array, label: string, timestamp: number): number {
    return this.replace(this.#count++, features, label, timestamp, true);
  }

  /** Overwrites row `i` (or fills a fresh row when `fresh`). */
  replace(i: number, features: Float32Array, label: string, timestamp: number, fresh = false): number {
    if (!fresh) this.#classCounts[this.#labelIds[i] as number]! -= 1;
    const id = this.#intern(label);
    this.features.set(features, i * this.dim);
    this.norms[i] = norm(this.features, i * this.dim, this.dim);
    this.#labelIds[i] = id;
    this.#timestamps[i] = timestamp;
    this.#inserted[i] = this.#nextInsert++;
    this.#classCounts[id]! += 1;
    return i;
  }

  /** Removes row `i` by moving the last row into it. */
  removeAt(i: number): void {
    const last = --this.#count;
    this.#classCounts[this.#labelIds[i] as number]! -= 1;
    if (i === last) return;
    this.features.copyWithin(i * this.dim, last * this.dim, (last + 1) * this.dim);
    this.norms[i] = this.norms[last] as number;
    this.#labelIds[i] = this.#labelIds[last] as number;
    this.#timestamps[i] = this.#timestamps[last] as number;
    this.#inserted[i] = this.#inserted[last] as number;
  }

  /** Empties the store (interned label names are kept; they cost nothing and ids stay stable). */
  clear(): void {
    this.#count = 0;
    this.#classCounts = this.#classCounts.map(() => 0);
  }

  /** Row of the oldest sample: smallest timestamp, then earliest insertion. */
  oldest(classId = -1): number {
    let best = -1;
    for (let i = 0; i < this.#count; i++) {
      if (classId >= 0 && this.#labelIds[i] !== classId) continue;
      if (best < 0 || this.#olderThan(i, best)) best = i;
    }
    return best;
  }

  /** Row of the oldest sample among the classes with the most samples. */
  oldestOfLargestClass(): number {
    const max = Math.max(...this.#classCounts);
    let best = -1;
    for (let i = 0; i < this.#count; i++) {
      if (this.#classCounts[this.#labelIds[i] as number] !== max) continue;
      if (best < 0 || this.#olderThan(i, best)) best = i;
    }
    return best;
  }

  /** Neighbour order: (distance a, row i) comes before (distance b, row j)? Ties: newer first. */
  before(a: number, i: number, b: number, j: number): boolean {
    if (a !== b) return a < b;
    return this.#olderThan(j, i);
  }

  labelIdOf(i: number): number {
    return this.#labelIds[i] as number;
  }

  labelOf(i: number): string {
    return this.#labelNames[this.#labelIds[i] as number] as string;
  }

  labelName(id: number): string {
    return this.#labelNames[id] as string;
  }

  timestampOf(i: number): number {
    return this.#timestamps[i] as number;
  }

  /** A view (no copy) of row `i`. */
  row(i: number): Float32Array {
    return this.features.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** Distinct labels with at least one stored sample, sorted. */
  classes(): string[] {
    return this.#labelNames.filter((_, id) => (this.#classCounts[id] ?? 0) > 0).sort();
  }

  #olderThan(i: number, j: number): boolean {
    const ti = this.#timestamps[i] as number;
    const tj = this.#timestamps[j] as number;
    return ti !== tj ? ti < tj : (this.#inserted[i] as number) < (this.#inserted[j] as number);
  }

  #intern(label: string): number {
    let id = this.#labelIndex.get(label);
    if (id === undefined) {
      id = this.#labelNames.push(label) - 1;
      this.#labelIndex.set(label, id);
      this.#classCounts.push(0);
    }
    return id;
  }
}
