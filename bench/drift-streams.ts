/**
 * Synthetic evaluation streams with known drift points, one set per detector input type. Each is a
 * run of equal-length segments whose concept alternates (or steps), built from one seed. Real
 * streams (pipeline output on Fashion-MNIST) are appended as JSON files, see drift-evaluation.ts.
 */
import { Prng, type DriftInputType, type DriftStream } from '@tinymlops/tinylcm';

type Shape = 'abrupt' | 'gradual' | 'incremental';

interface PiecewiseSpec<X> {
  readonly name: string;
  readonly inputType: DriftInputType;
  readonly seed: number;
  readonly segmentLength: number;
  /** Parameters of each segment's concept; a drift point starts every segment after the first. */
  readonly concepts: readonly (readonly number[])[];
  readonly shape?: Shape;
  /** Transition length of gradual and incremental shifts. */
  readonly width?: number;
  readonly deltaMax: number;
  readonly sample: (rng: Prng, params: readonly number[]) => X;
}

function piecewise<X>(spec: PiecewiseSpec<X>): DriftStream<X> {
  const rng = new Prng(spec.seed);
  const { segmentLength: len, concepts, shape = 'abrupt', width = 1 } = spec;
  const values: X[] = [];
  for (let s = 0; s < concepts.length; s++) {
    const from = concepts[Math.max(0, s - 1)]!;
    const to = concepts[s]!;
    for (let i = 0; i < len; i++) {
      const w = shape === 'abrupt' || s === 0 ? 1 : Math.min(1, (i + 1) / width);
      const params =
        shape === 'gradual' ? (rng.next() < w ? to : from) : to.map((p, k) => from[k]! + (p - from[k]!) * w);
      values.push(spec.sample(rng, params));
    }
  }
  const driftPoints = concepts.slice(1).map((_, s) => (s + 1) * len);
  return { name: spec.name, inputType: spec.inputType, values, driftPoints, deltaMax: spec.deltaMax };
}

const alternate = (a: readonly number[], b: readonly number[], n: number): number[][] =>
  Array.from({ length: n }, (_, i) => [...(i % 2 === 0 ? a : b)]);

const gaussianSample = (rng: Prng, [mean, std]: readonly number[]): number => mean! + std! * rng.gaussian();
const bernoulliSample = (rng: Prng, [p]: readonly number[]): boolean => rng.next() < p!;

function classSample(rng: Prng, [skew]: readonly number[]): number {
  // With probability `skew` the prediction collapses onto class 0, else uniform over 10 classes.
  return rng.next() < skew! ? 0 : rng.nextInt(10);
}

const STDS = [4, 3, 2, 1, 1, 1, 1, 1];
function vectorSample(rng: Prng, [delta]: readonly number[]): Float64Array {
  return Float64Array.from(STDS, (s, j) => s * rng.gaussian() + (j === 0 ? delta! : 0));
}

function neighbourSample(rng: Prng, [purity]: readonly number[]): string[] {
  const truth = rng.nextInt(10);
  return Array.from({ length: 5 }, () => `c${rng.next() < purity! ? truth : (truth + 1 + rng.nextInt(9)) % 10}`);
}

/** The synthetic streams of `npm run eval:drift`. */
export function syntheticStreams(): DriftStream[] {
  const mean = alternate([0, 1], [1, 1], 10);
  const variance = alternate([0, 1], [0, 2.5], 10);
  const errors = [[0.05], [0.15], [0.25], [0.35], [0.45]];
  const common = { segmentLength: 2000, deltaMax: 250 } as const;
  return [
    piecewise({ ...common, name: 'abrupt-mean', inputType: 'number', seed: 1, concepts: mean, sample: gaussianSample }),
    piecewise({
      ...common,
      name: 'gradual-mean',
      inputType: 'number',
      seed: 2,
      concepts: mean,
      shape: 'gradual',
      width: 200,
      sample: gaussianSample,
    }),
    piecewise({
      ...common,
      name: 'incremental-mean',
      inputType: 'number',
      seed: 3,
      concepts: mean,
      shape: 'incremental',
      width: 200,
      sample: gaussianSample,
    }),
    piecewise({
      ...common,
      name: 'abrupt-variance',
      inputType: 'number',
      seed: 4,
      concepts: variance,
      sample: gaussianSample,
    }),
    piecewise({
      ...common,
      name: 'gradual-variance',
      inputType: 'number',
      seed: 16,
      concepts: variance,
      shape: 'gradual',
      width: 200,
      sample: gaussianSample,
    }),
    piecewise({
      ...common,
      name: 'incremental-variance',
      inputType: 'number',
      seed: 17,
      concepts: variance,
      shape: 'incremental',
      width: 200,
      sample: gaussianSample,
    }),
    piecewise({
      ...common,
      name: 'no-drift',
      inputType: 'number',
      seed: 5,
      segmentLength: 20_000,
      concepts: [[0, 1]],
      sample: gaussianSample,
    }),
    piecewise({
      name: 'abrupt-error-rise',
      inputType: 'boolean',
      seed: 6,
      segmentLength: 4000,
      deltaMax: 500,
      concepts: errors,
      sample: bernoulliSample,
    }),
    piecewise({
      name: 'gradual-error-rise',
      inputType: 'boolean',
      seed: 7,
      segmentLength: 4000,
      deltaMax: 500,
      concepts: errors,
      shape: 'gradual',
      width: 400,
      sample: bernoulliSample,
    }),
    piecewise({
      name: 'no-drift-errors',
      inputType: 'boolean',
      seed: 8,
      segmentLength: 20_000,
      deltaMax: 500,
      concepts: [[0.1]],
      sample: bernoulliSample,
    }),
    piecewise({
      ...common,
      name: 'abrupt-class-mix',
      inputType: 'class',
      seed: 9,
      concepts: alternate([0], [0.6], 10),
      sample: classSample,
    }),
    piecewise({
      ...common,
      name: 'gradual-class-mix',
      inputType: 'class',
      seed: 10,
      concepts: alternate([0], [0.6], 10),
      shape: 'gradual',
      width: 300,
      sample: classSample,
    }),
    piecewise({
      ...common,
      name: 'no-drift-classes',
      inputType: 'class',
      seed: 11,
      segmentLength: 20_000,
      concepts: [[0]],
      sample: classSample,
    }),
    piecewise({
      ...common,
      name: 'abrupt-feature-shift',
      inputType: 'vector',
      seed: 12,
      deltaMax: 300,
      concepts: alternate([0], [2], 10),
      sample: vectorSample,
    }),
    piecewise({
      ...common,
      name: 'no-drift-features',
      inputType: 'vector',
      seed: 13,
      segmentLength: 20_000,
      concepts: [[0]],
      sample: vectorSample,
    }),
    piecewise({
      ...common,
      name: 'abrupt-neighbour-purity',
      inputType: 'neighbours',
      seed: 14,
      concepts: alternate([0.95], [0.75], 10),
      sample: neighbourSample,
    }),
    piecewise({
      ...common,
      name: 'no-drift-neighbours',
      inputType: 'neighbours',
      seed: 15,
      segmentLength: 20_000,
      concepts: [[0.95]],
      sample: neighbourSample,
    }),
  ];
}
