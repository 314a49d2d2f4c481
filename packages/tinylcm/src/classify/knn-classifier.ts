import { KnnStateDocument, TinyMLOpsError, parseOrThrow, type DistanceMetric } from '@tinymlops/contracts';
import { ROW_METRICS, euclideanKeyPair, norm, prototypeScaling, type RowMetric } from './distance.js';
import { KnnStore } from './knn-store.js';
import { nativeSquaredDistances, type SquaredDistances } from './native-distances.js';
import {
  validateKnnOptions,
  type KnnNeighbour,
  type KnnOptions,
  type KnnPrediction,
  type ReplacementPolicy,
} from './knn-options.js';
import { NovelClassGate, type GateMasks } from './novel-class-gate.js';

export {
  REPLACEMENT_POLICIES,
  type KnnNeighbour,
  type KnnOptions,
  type KnnPrediction,
  type ReplacementPolicy,
} from './knn-options.js';

/**
 * Brute-force k-nearest-neighbour classifier over flat `Float32Array` storage.
 *
 * Vote weight of a neighbour at distance d is 1/(d + ε); the prediction is the argmax of the
 * summed weights (ties: the class of the nearest neighbour), and `confidence` is that class's share
 * of all weights. Neighbours are ordered by distance, then newer first. Predict is O(N·D) and
 * allocation-free in steady state: **it returns the same result object every call** — copy what
 * you keep (`structuredClone(result)`).
 * @example
 * const knn = new KnnClassifier({ dim: 2, k: 3 });
 * knn.add(Float32Array.of(0, 0), 'a');
 * knn.add(Float32Array.of(5, 5), 'b');
 * knn.predict(Float32Array.of(1, 0)).label; // 'a'
 */
export class KnnClassifier {
  readonly dim: number;
  readonly k: number;
  readonly metric: DistanceMetric;
  readonly replacement: ReplacementPolicy;
  readonly prototypeDistanceScaling: boolean;
  readonly store: KnnStore;
  readonly #clock: () => number;
  readonly #metric: RowMetric;
  readonly #scale: { offset: number; factor: number };
  readonly #topDist: Float64Array;
  readonly #topIdx: Int32Array;
  readonly #pairKeys = new Float64Array(2);
  readonly #neighbours: KnnNeighbour[];
  readonly #gate: NovelClassGate | undefined;
  /** The novel group's top-k while the known group is searched (gated predictions only). */
  readonly #novelTop: { keys: Float64Array; idx: Int32Array };
  /** Each group's nearest distances (gated predictions only); preallocated, predict stays allocation-free. */
  readonly #groupDist: { known: Float64Array; novel: Float64Array };
  /** The last gated search's mean distance to the k nearest samples of any class. */
  #gatedMeanDistance = Number.NaN;
  #votes = new Float64Array(8);
  /** The native Euclidean scan after `accelerate()`, and the keys it fills (one per stored row). */
  #scan: SquaredDistances | undefined;
  #keys = new Float64Array(0);
  readonly #result: KnnPrediction = { label: null, confidence: 0, neighbours: [], meanDistance: Number.NaN };

  constructor(options: KnnOptions) {
    const o = validateKnnOptions(options);
    this.dim = o.dim;
    this.k = o.k;
    this.metric = o.metric;
    this.replacement = o.replacement;
    this.prototypeDistanceScaling = o.prototypeDistanceScaling;
    this.store = new KnnStore(o.dim, o.capacity);
    this.#clock = options.clock ?? Date.now;
    this.#metric = ROW_METRICS[o.metric];
    this.#scale = o.prototypeDistanceScaling ? prototypeScaling(o.metric, o.dim) : { offset: 0, factor: 1 };
    this.#topDist = new Float64Array(o.k);
    this.#topIdx = new Int32Array(o.k);
    this.#neighbours = Array.from({ length: o.k }, () => ({ label: '', distance: 0, index: -1 }));
    this.#gate = options.novelClassGate ? new NovelClassGate(options.novelClassGate, o.k) : undefined;
    this.#novelTop = { keys: new Float64Array(o.k), idx: new Int32Array(o.k) };
    this.#groupDist = { known: new Float64Array(o.k), novel: new Float64Array(o.k) };
  }

  /** The novel-class gate, when configured. */
  get novelClassGate(): NovelClassGate | undefined {
    return this.#gate;
  }

  /** Number of stored samples. */
  get size(): number {
    return this.store.count;
  }

  /** Label of every stored sample, by storage index (a fresh array). */
  get labels(): string[] {
    return Array.from({ length: this.store.count }, (_, i) => this.store.labelOf(i));
  }

  /** Distinct labels currently stored, sorted. */
  get classes(): string[] {
    return this.store.classes();
  }

  /**
   * Stores a labelled sample; when full, evicts one per the replacement policy. Returns its index.
   * @example
   * knn.add(features, 'lego', Date.now());
   */
  add(features: Float32Array, label: string, timestamp: number = this.#clock()): number {
    this.#checkDim(features);
    if (this.store.count < this.store.capacity) return this.store.append(features, label, timestamp);
    const victim = this.replacement === 'oldest-first' ? this.store.oldest() : this.store.oldestOfLargestClass();
    return this.store.replace(victim, features, label, timestamp);
  }

  /**
   * Removes the sample at `index`; the last sample moves into its place (indices are not stable).
   * @example
   * knn.remove(0);
   */
  remove(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.store.count)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `KnnClassifier.remove: index ${index} out of range 0…${this.store.count - 1}`,
      );
    this.store.removeAt(index);
  }

  /**
   * Removes every sample the predicate selects (it sees a view of the row: copy to keep); returns
   * how many. This is how an undone pseudo-class leaves the KNN.
   * @example
   * knn.removeWhere((label) => label === 'pseudo-1');
   */
  removeWhere(predicate: (label: string, features: Float32Array) => boolean): number {
    let removed = 0;
    // Backwards, because removeAt moves the last row into the freed slot.
    for (let i = this.store.count - 1; i >= 0; i--) {
      if (!predicate(this.store.labelOf(i), this.store.row(i))) continue;
      this.store.removeAt(i);
      removed++;
    }
    return removed;
  }

  /**
   * The stored samples as a `KnnStateDocument` (float32 rows as base64): JSON-safe, and the
   * classifier part of a state snapshot.
   * @example
   * const doc = knn.snapshotState(); // { schemaVersion: 1, dim, count, metric, k, labels, features, timestamps }
   */
  snapshotState(): KnnStateDocument {
    const { store } = this;
    const rows = store.features.subarray(0, store.count * store.dim);
    return {
      schemaVersion: 1,
      dim: this.dim,
      count: store.count,
      metric: this.metric,
      k: this.k,
      labels: Array.from({ length: store.count }, (_, i) => store.labelOf(i)),
      features: Buffer.from(rows.buffer, rows.byteOffset, rows.byteLength).toString('base64'),
      timestamps: Array.from({ length: store.count }, (_, i) => store.timestampOf(i)),
    };
  }

  /**
   * Replaces every stored sample with those of `snapshotState()` output, in the same row order, so
   * predictions are exactly those of the snapshotted classifier. Throws `STATE_CORRUPT` when the
   * document does not fit this classifier (dimension, metric, capacity).
   * @example
   * const before = knn.snapshotState();
   * knn.add(x, 'pseudo-1');
   * knn.restoreState(before); // predicts exactly as before
   */
  restoreState(state: Record<string, unknown>): void {
    const s = parseOrThrow(KnnStateDocument, state, 'KNN state snapshot');
    if (s.dim !== this.dim || s.metric !== this.metric || s.count > this.store.capacity)
      throw new TinyMLOpsError(
        'STATE_CORRUPT',
        `KNN snapshot (dim ${s.dim}, ${s.metric}, ${s.count} samples) does not fit this classifier (dim ${this.dim}, ${this.metric}, capacity ${this.store.capacity})`,
      );
    const bytes = Buffer.from(s.features, 'base64');
    const rows = new Float32Array(s.count * s.dim);
    new Uint8Array(rows.buffer).set(bytes);
    this.store.clear();
    s.labels.forEach((label, i) =>
      this.store.append(rows.subarray(i * s.dim, (i + 1) * s.dim), label, s.timestamps?.[i] ?? i),
    );
  }

  /**
   * Switches the Euclidean scan to one native SIMD call per search (TinyLCM's XNNPACK addon, when
   * built): ~10× faster on 200 × 256, same neighbours (distances equal within float32 rounding).
   * Selection, ties and voting stay here. Returns whether it did; other metrics stay JavaScript.
   * @example
   * knn.accelerate(); // true on a device with the addon
   */
  accelerate(): boolean {
    if (this.metric !== 'euclidean') return false;
    this.#scan ??= nativeSquaredDistances();
    if (this.#scan) this.#keys = new Float64Array(this.store.capacity);
    return this.#scan !== undefined;
  }

  /**
   * Classifies `features`. The returned object is reused by the next call.
   * @example
   * const { label, confidence, meanDistance } = knn.predict(x);
   */
  predict(features: Float32Array): KnnPrediction {
    this.#checkDim(features);
    const masks = this.#gate?.masks(this.store);
    const gated = masks?.anyNovel === true;
    const n = gated ? this.#gatedSearch(features, masks) : this.#search(features);
    const r = this.#result;
    if (r.neighbours.length !== n) r.neighbours.length = n; // the setter costs even when unchanged
    if (n === 0) return Object.assign(r, { label: null, confidence: 0, meanDistance: Number.NaN });
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const nb = this.#neighbours[j] as KnnNeighbour;
      const index = this.#topIdx[j] as number;
      nb.index = index;
      nb.label = this.store.labelOf(index);
      nb.distance = this.#distance(this.#topDist[j] as number);
      r.neighbours[j] = nb;
      sum += nb.distance;
    }
    // The drift signal stays the distance to the nearest samples of ANY class, gated or not.
    r.meanDistance = gated ? this.#gatedMeanDistance : sum / n;
    this.#vote(n);
    return r;
  }

  #distance(key: number): number {
    return this.#scale.offset + this.#metric.toDistance(key) * this.#scale.factor;
  }

  /**
   * Searches the novel and the known samples separately and leaves the winning group's top-k in
   * #topDist/#topIdx (returning its size) and the mean distance of the k nearest samples over both
   * groups in #gatedMeanDistance.
   */
  #gatedSearch(q: Float32Array, masks: GateMasks): number {
    const novel = this.#novelTop;
    const { known: dKnown, novel: dNovel } = this.#groupDist;
    const nNovel = this.#search(q, masks.novel);
    novel.keys.set(this.#topDist);
    novel.idx.set(this.#topIdx);
    const nKnown = this.#search(q, masks.known);
    for (let j = 0; j < nKnown; j++) dKnown[j] = this.#distance(this.#topDist[j] as number);
    for (let j = 0; j < nNovel; j++) dNovel[j] = this.#distance(novel.keys[j] as number);
    this.#gatedMeanDistance = meanOfNearest(dKnown, nKnown, dNovel, nNovel, this.k);
    if (!(this.#gate as NovelClassGate).prefersNovel(dKnown, nKnown, dNovel, nNovel)) return nKnown;
    this.#topDist.set(novel.keys);
    this.#topIdx.set(novel.idx);
    return nNovel;
  }

  /**
   * Fills #topDist/#topIdx with the keys and rows of the n = min(k, count) nearest samples, sorted;
   * returns n. With `mask`, only rows whose label id it marks are considered.
   */
  #search(q: Float32Array, mask?: Uint8Array): number {
    if (this.#scan) return this.#searchKeys(q, mask);
    const { store, k, dim } = this;
    const qNorm = this.metric === 'cosine' ? norm(q, 0, dim) : 0;
    const dist = this.#topDist;
    let n = 0;
    let i = 0;
    // Once k are held, a row whose partial key passes the k-th best is abandoned mid-way. A bound
    // taken before a pair stays valid for its second row: the k-th best only ever shrinks.
    if (this.metric === 'euclidean' && !mask) {
      const keys = this.#pairKeys;
      for (; i + 1 < store.count; i += 2) {
        euclideanKeyPair(q, store.features, i, dim, n === k ? (dist[k - 1] as number) : Infinity, keys);
        n = this.#offer(keys[0] as number, i, n);
        n = this.#offer(keys[1] as number, i + 1, n);
      }
    }
    for (; i < store.count; i++) {
      if (mask && !mask[store.labelIdOf(i)]) continue;
      const bound = n === k ? (dist[k - 1] as number) : Number.POSITIVE_INFINITY;
      n = this.#offer(this.#metric.key(q, qNorm, store.features, i, store.norms[i] as number, dim, bound), i, n);
    }
    return n;
  }

  /** {@link #search} over keys from the native scan: every row's key at once, then the same top-k. */
  #searchKeys(q: Float32Array, mask?: Uint8Array): number {
    const { store } = this;
    const keys = this.#keys;
    (this.#scan as SquaredDistances)(q, store.features, store.count, keys);
    let n = 0;
    for (let i = 0; i < store.count; i++) {
      if (!mask || mask[store.labelIdOf(i)]) n = this.#offer(keys[i] as number, i, n);
    }
    return n;
  }

  /** Inserts row i with key d into the sorted top-k (of n held) if it belongs there; returns the new n. */
  #offer(d: number, i: number, n: number): number {
    const { store, k } = this;
    const dist = this.#topDist;
    const idx = this.#topIdx;
    if (n === k && !store.before(d, i, dist[k - 1] as number, idx[k - 1] as number)) return n;
    // Insertion into the sorted top-k: k is small, so this beats a heap.
    let j = n < k ? n++ : k - 1;
    while (j > 0 && store.before(d, i, dist[j - 1] as number, idx[j - 1] as number)) {
      dist[j] = dist[j - 1] as number;
      idx[j] = idx[j - 1] as number;
      j--;
    }
    dist[j] = d;
    idx[j] = i;
    return n;
  }

  /** Distance-weighted vote over the first n neighbours; sets label and confidence. */
  #vote(n: number): void {
    if (this.#votes.length < this.store.labelCount) this.#votes = new Float64Array(this.store.labelCount * 2);
    const votes = this.#votes;
    for (let j = 0; j < n; j++) votes[this.store.labelIdOf(this.#topIdx[j] as number)] = 0;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const id = this.store.labelIdOf(this.#topIdx[j] as number);
      // ε keeps an exact match finite while letting it dominate; relative to the unit of distances.
      const w = 1 / ((this.#neighbours[j] as KnnNeighbour).distance + 1e-9);
      votes[id] = (votes[id] as number) + w;
      total += w;
    }
    let best = -1;
    // Neighbours are nearest first, and only a strictly larger vote wins: ties go to the nearest class.
    for (let j = 0; j < n; j++) {
      const id = this.store.labelIdOf(this.#topIdx[j] as number);
      if (best < 0 || (votes[id] as number) > (votes[best] as number)) best = id;
    }
    this.#result.label = this.store.labelName(best);
    this.#result.confidence = (votes[best] as number) / total;
  }

  #checkDim(features: Float32Array): void {
    if (features.length !== this.dim)
      throw new TinyMLOpsError(
        'VALIDATION_FAILED',
        `KnnClassifier: expected ${this.dim} features, got ${features.length}`,
      );
  }
}

/** Mean of the k smallest of two ascending lists (a merge, no allocation). */
function meanOfNearest(a: Float64Array, na: number, b: Float64Array, nb: number, k: number): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  let n = 0;
  for (; n < k && (i < na || j < nb); n++)
    sum += j >= nb || (i < na && (a[i] as number) <= (b[j] as number)) ? (a[i++] as number) : (b[j++] as number);
  return sum / n;
}
