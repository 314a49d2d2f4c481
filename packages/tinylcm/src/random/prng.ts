/**
 * mulberry32: a tiny, fast, seeded 32-bit PRNG. Every random choice in TinyLCM (KSWIN sampling,
 * k-means++ seeding, permutation tests, simulated streams) draws from one of these, so a seed
 * reproduces a run exactly on every platform.
 * @example
 * const rand = mulberry32(42);
 * rand(); // 0.6011037519201636, always
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal draws (Box–Muller) from a uniform source.
 * @example
 * const normal = gaussian(mulberry32(1));
 * const x = 10 + 2 * normal(); // N(10, 2²)
 */
export function gaussian(uniform: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - uniform(); // (0, 1]: log(0) would be -Infinity
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}
