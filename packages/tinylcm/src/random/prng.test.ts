import { describe, expect, it } from 'vitest';
import { mulberry32, Prng } from './prng.js';

describe('mulberry32', () => {
  it('reproduces the same sequence for the same seed and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const sa = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(sa);
    expect(Array.from({ length: 5 }, c)).not.toEqual(sa);
    expect(sa[0]).toBe(0.6011037519201636);
  });

  it('is uniform on [0, 1): mean and variance of 100k draws', () => {
    const r = mulberry32(7);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
      s += x;
      s2 += x * x;
    }
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n - (s / n) ** 2).toBeCloseTo(1 / 12, 2);
  });
});

describe('Prng.gaussian', () => {
  it('has mean 0 and variance 1', () => {
    const rng = new Prng(3);
    const g = () => rng.gaussian();
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = g();
      s += x;
      s2 += x * x;
    }
    expect(s / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(1, 1);
  });
});
