import { TinyMLOpsError } from '@tinymlops/contracts';
import type { KnnStore } from './knn-store.js';

/** Options of {@link NovelClassGate}. */
export interface NovelClassGateOptions {
  /** The classes the model shipped with (the bundle's labels); every other label is novel. */
  knownClasses: readonly string[];
  /** Nearest samples per group whose mean distance is compared (default 3; at most the KNN's k). */
  k?: number;
  /** A query goes to the novel classes only when they are this many times nearer (default 1.1). */
  margin?: number;
}

/** Which rows of the store may vote for a query, by label id. */
export interface GateMasks {
  known: Uint8Array;
  novel: Uint8Array;
  /** True when some label id is novel (the gate has something to decide). */
  anyNovel: boolean;
}

/**
 * Keeps classes learned on the device (server-validated new classes, pseudo-classes) from
 * swallowing frames of the classes the model shipped with. A plain KNN lets a freshly added,
 * dense class outvote a sparse known class at their border: on fashion-mnv2, 10 validated labels
 * propagated to an episode's ~80 frames turned 3–7 % of later sneaker, sandal and coat frames into
 * "ankle boot" or "bag". With the gate, the known and the novel samples are two groups; a query
 * votes among the novel ones only when the mean distance to its `k` nearest novel samples, times
 * `margin`, is below that to its `k` nearest known samples, and among the known ones otherwise, so
 * before any class is learned the classifier predicts exactly as it did.
 * @example
 * const knn = new KnnClassifier({ dim: 256, novelClassGate: { knownClasses: bundle.manifest.labels } });
 */
export class NovelClassGate {
  readonly known: ReadonlySet<string>;
  readonly k: number;
  readonly margin: number;
  #masks: GateMasks = { known: new Uint8Array(0), novel: new Uint8Array(0), anyNovel: false };

  constructor(options: NovelClassGateOptions, knnK: number) {
    const k = options.k ?? 3;
    const margin = options.margin ?? 1.1;
    if (!Number.isInteger(k) || k < 1 || k > knnK)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `novelClassGate.k must be an integer in 1…${knnK} (the KNN's k), got ${k}`,
      );
    if (!(margin >= 1)) throw new TinyMLOpsError('INVALID_OPTION', `novelClassGate.margin must be ≥ 1, got ${margin}`);
    this.known = new Set(options.knownClasses);
    this.k = k;
    this.margin = margin;
  }

  /** The known/novel masks over the store's label ids (rebuilt when a label is first seen). */
  masks(store: KnnStore): GateMasks {
    const n = store.labelCount;
    if (this.#masks.known.length === n) return this.#masks;
    const known = new Uint8Array(n);
    const novel = new Uint8Array(n);
    for (let id = 0; id < n; id++) {
      if (this.known.has(store.labelName(id))) known[id] = 1;
      else novel[id] = 1;
    }
    this.#masks = { known, novel, anyNovel: novel.includes(1) };
    return this.#masks;
  }

  /**
   * Whether the novel group wins, given each group's nearest distances (ascending; `n*` of them
   * valid). A group without samples never wins.
   */
  prefersNovel(known: ArrayLike<number>, nKnown: number, novel: ArrayLike<number>, nNovel: number): boolean {
    if (nNovel === 0) return false;
    if (nKnown === 0) return true;
    return this.margin * meanOfFirst(novel, Math.min(this.k, nNovel)) < meanOfFirst(known, Math.min(this.k, nKnown));
  }
}

function meanOfFirst(xs: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i] as number;
  return s / n;
}
