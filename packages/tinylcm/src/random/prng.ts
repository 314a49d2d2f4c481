/**
 * Mulberry32: a tiny, fast 32-bit seeded PRNG. Not cryptographic; used wherever TinyLCM needs
 * reproducible randomness (k-means++ seeding, sampling) so every run with the same seed is equal.
 * @param seed any integer; only its low 32 bits matter
 * @returns a function returning uniform floats in [0, 1)
 * @example
 * const rand = mulberry32(42);
 * rand(); // 0.6011037519201636, the same on every machine
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
