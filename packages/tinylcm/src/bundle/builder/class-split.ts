import { TinyMLOpsError } from '@tinymlops/contracts';
import { Prng } from '../../random/prng.js';
import type { ExampleImage, ExampleSet } from './example-set.js';

/** How the examples of each class are divided (see {@link splitExamples}). */
export interface SplitOptions {
  /** KNN samples per known class (taken from the fit images). */
  knnPerClass: number;
  /** At most this many images per known class fit the scaler and PCA. */
  fitPerClass: number;
  /** Fraction of each known class held out for the detector reference and the accuracy figure. */
  holdout: number;
  /** At most this many held-out images per class (known or unknown). */
  holdoutPerClass: number;
  seed: number;
}

/** The examples, divided: `knn` ⊂ `fit`; `holdout` and `unknown` are never fitted on. */
export interface ExampleSplit {
  fit: ExampleImage[];
  knn: ExampleImage[];
  holdout: ExampleImage[];
  /** Examples of classes that are not in the labels: the held-out-class reference. */
  unknown: ExampleImage[];
  unknownClasses: string[];
}

/**
 * Shuffles each class with a seeded generator (so a build is reproducible), then per known class
 * takes `holdout` of it (at most `holdoutPerClass`) aside and fits on the rest (at most
 * `fitPerClass`), the first `knnPerClass` of which become the class-balanced KNN state. Throws,
 * naming the class, when a label has too few examples.
 * @example
 * const s = splitExamples(set, labels, { knnPerClass: 25, fitPerClass: 400, holdout: 0.2, holdoutPerClass: 125, seed: 0 });
 */
export function splitExamples(set: ExampleSet, labels: readonly string[], o: SplitOptions): ExampleSplit {
  const byClass = new Map<string, ExampleImage[]>();
  for (const img of set.images) byClass.set(img.className, [...(byClass.get(img.className) ?? []), img]);
  const prng = new Prng(o.seed);
  const out: ExampleSplit = { fit: [], knn: [], holdout: [], unknown: [], unknownClasses: [] };
  for (const label of labels) {
    const all = shuffle(byClass.get(label) ?? [], prng);
    const held = o.holdout > 0 ? Math.min(o.holdoutPerClass, Math.max(1, Math.round(all.length * o.holdout))) : 0;
    if (all.length < o.knnPerClass + held) {
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `class "${label}" has ${all.length} example images; it needs at least ${o.knnPerClass + held} ` +
          `(--knn-per-class ${o.knnPerClass} plus ${held} held out): add examples or lower --knn-per-class`,
      );
    }
    out.holdout.push(...all.slice(0, held));
    const fit = all.slice(held, held + Math.max(o.fitPerClass, o.knnPerClass));
    out.fit.push(...fit);
    out.knn.push(...fit.slice(0, o.knnPerClass));
  }
  const known = new Set(labels);
  for (const [label, imgs] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (known.has(label)) continue;
    out.unknownClasses.push(label);
    out.unknown.push(...shuffle(imgs, prng).slice(0, o.holdoutPerClass));
  }
  return out;
}

function shuffle<T>(items: readonly T[], prng: Prng): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = prng.nextInt(i + 1);
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}
