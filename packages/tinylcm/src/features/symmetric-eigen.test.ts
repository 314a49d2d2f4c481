import { describe, expect, it } from 'vitest';
import { Prng } from '../random/prng.js';
import { symmetricEigen } from './symmetric-eigen.js';

function randomSymmetric(n: number, seed: number): Float64Array {
  const prng = new Prng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = a[j * n + i] = prng.gaussian();
  return a;
}

describe('symmetricEigen', () => {
  it('solves a 2 × 2 example exactly', () => {
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 1, 2), 2);
    expect(Array.from(values)).toEqual([3, 1].map((v) => expect.closeTo(v, 12)));
    expect(Math.abs(vectors[0]?.[0] ?? 0)).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('returns orthonormal vectors with A·v = λ·v, values descending, for a random 60 × 60 matrix', () => {
    const n = 60;
    const a = randomSymmetric(n, 7);
    const { values, vectors } = symmetricEigen(a.slice(), n);
    for (let j = 0; j < n; j++) {
      const v = vectors[j] as Float64Array;
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let k = 0; k < n; k++) av += (a[i * n + k] as number) * (v[k] as number);
        expect(av).toBeCloseTo((values[j] as number) * (v[i] as number), 9);
      }
      for (let m = j; m < n; m++) {
        const dot = v.reduce((s, x, k) => s + x * ((vectors[m] as Float64Array)[k] as number), 0);
        expect(dot).toBeCloseTo(m === j ? 1 : 0, 9);
      }
      if (j > 0) expect(values[j]).toBeLessThanOrEqual(values[j - 1] as number);
    }
  });

  it('handles a diagonal matrix and a zero matrix (no Householder step needed)', () => {
    expect(Array.from(symmetricEigen(Float64Array.of(1, 0, 0, 0, 5, 0, 0, 0, 3), 3).values)).toEqual([5, 3, 1]);
    expect(Array.from(symmetricEigen(new Float64Array(9), 3).values)).toEqual([0, 0, 0]);
  });
});
