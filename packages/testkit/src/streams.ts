import { Prng } from '@tinymlops/tinylcm';

/**
 * Seeded synthetic streams for drift tests and benchmarks. Every generator is a pure function of
 * its spec: the same seed gives the same stream on every machine.
 */

/** How the new concept replaces the old one from `at` on, over `width` samples. */
export type ShiftShape = 'abrupt' | 'gradual' | 'incremental';

/** Where and how a stream changes. */
export interface ShiftSpec {
  readonly seed: number;
  readonly length: number;
  /** Index of the first sample of the new concept (or of the transition). */
  readonly at: number;
  /** Default `abrupt`. */
  readonly shape?: ShiftShape;
  /** Transition length for `gradual` and `incremental`. Default 0. */
  readonly width?: number;
}

/**
 * Weight of the new concept at index i: 0 before `at`, 1 after the transition. `incremental`
 * blends parameters by this weight; `gradual` draws each sample from the new concept with this
 * probability.
 */
export function conceptWeight(i: number, at: number, shape: ShiftShape, width: number): number {
  if (i < at) return 0;
  if (shape === 'abrupt' || width <= 0) return 1;
  return Math.min(1, (i - at + 1) / width);
}

/** Loops over a shift spec, handing each index its blend weight (incremental) or concept (gradual). */
function generate<X>(spec: ShiftSpec, sample: (rng: Prng, weight: number) => X): X[] {
  const rng = new Prng(spec.seed);
  const shape = spec.shape ?? 'abrupt';
  const out = new Array<X>(spec.length);
  for (let i = 0; i < spec.length; i++) {
    const w = conceptWeight(i, spec.at, shape, spec.width ?? 0);
    // Gradual: the sample comes wholly from one concept, the new one with probability w.
    const weight = shape === 'gradual' ? (rng.next() < w ? 1 : 0) : w;
    out[i] = sample(rng, weight);
  }
  return out;
}

const lerp = (a: number, b: number, w: number): number => a + (b - a) * w;

/** Gaussian values whose mean and standard deviation change from `from` to `to`. */
export function gaussianShift(
  spec: ShiftSpec & { readonly from: { mean: number; std: number }; readonly to: { mean: number; std: number } },
): number[] {
  return generate(
    spec,
    (rng, w) => lerp(spec.from.mean, spec.to.mean, w) + lerp(spec.from.std, spec.to.std, w) * rng.gaussian(),
  );
}

/** A stationary Gaussian stream. */
export function gaussian(seed: number, length: number, mean = 0, std = 1): number[] {
  return gaussianShift({ seed, length, at: length, from: { mean, std }, to: { mean, std } });
}

/** An error stream (`true` = error) whose error rate changes from `from` to `to`. */
export function bernoulliShift(spec: ShiftSpec & { readonly from: number; readonly to: number }): boolean[] {
  return generate(spec, (rng, w) => rng.next() < lerp(spec.from, spec.to, w));
}

/** A stationary error stream. */
export function bernoulli(seed: number, length: number, p: number): boolean[] {
  return bernoulliShift({ seed, length, at: length, from: p, to: p });
}

/** Draws a class index from probabilities `p` (need not be normalised). */
function draw(rng: Prng, p: readonly number[]): number {
  let u = rng.next() * p.reduce((a, b) => a + b, 0);
  for (let i = 0; i < p.length; i++) if ((u -= p[i]!) < 0) return i;
  return p.length - 1;
}

/** Predicted class indices whose class mix changes from `from` to `to` (same length). */
export function classShift(
  spec: ShiftSpec & { readonly from: readonly number[]; readonly to: readonly number[] },
): number[] {
  return generate(spec, (rng, w) =>
    draw(
      rng,
      spec.from.map((p, i) => lerp(p, spec.to[i] ?? 0, w)),
    ),
  );
}

/**
 * Feature vectors of `dimension` independent Gaussian components (standard deviations `stds`,
 * default all 1), whose first `shifted` components move by `delta` (mean) after the shift.
 */
export function vectorShift(
  spec: ShiftSpec & {
    readonly dimension: number;
    readonly shifted: number;
    readonly delta: number;
    readonly stds?: readonly number[];
  },
): Float64Array[] {
  return generate(spec, (rng, w) => {
    const x = new Float64Array(spec.dimension);
    for (let j = 0; j < spec.dimension; j++) {
      x[j] = rng.gaussian() * (spec.stds?.[j] ?? 1) + (j < spec.shifted ? spec.delta * w : 0);
    }
    return x;
  });
}

/**
 * Neighbour label lists of a k-NN over `classes` classes: each neighbour carries the true class
 * with probability `purity`, else a random other class; purity changes from `from` to `to`.
 */
export function neighbourShift(
  spec: ShiftSpec & { readonly k: number; readonly classes: number; readonly from: number; readonly to: number },
): string[][] {
  return generate(spec, (rng, w) => {
    const truth = rng.nextInt(spec.classes);
    const purity = lerp(spec.from, spec.to, w);
    return Array.from({ length: spec.k }, () => {
      const other = (truth + 1 + rng.nextInt(spec.classes - 1)) % spec.classes;
      return `c${rng.next() < purity ? truth : other}`;
    });
  });
}
