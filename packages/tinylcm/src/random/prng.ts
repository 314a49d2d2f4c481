/**
 * A small seeded pseudo-random generator (mulberry32, Tommy Ettinger 2017): 32 bits of state, period
 * 2^32, fast and good enough for sampling windows and generating test streams. Its whole state is one
 * uint32, so detectors that sample can snapshot it and resume the identical sequence.
 *
 * Not cryptographic. Use it wherever results must be reproducible from a seed.
 *
 * @example
 * const rng = new Prng(42);
 * const a = rng.next(); // uniform in [0, 1)
 * const b = rng.gaussian(); // standard normal
 * const i = rng.nextInt(10); // integer in [0, 10)
 * const copy = new Prng(0);
 * copy.state = rng.state; // resume from the same point
 * console.log(copy.next() === rng.next());
 * // => true
 */
export class Prng {
  #state: number;
  // Box–Muller yields two normals per call; the second is kept for the next call.
  #spare = 0;
  #hasSpare = false;

  /** @param seed any integer; the same seed gives the same sequence on every platform. */
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** The full generator state (a uint32; the cached Box–Muller spare is dropped on assignment). */
  get state(): number {
    return this.#state;
  }

  set state(value: number) {
    this.#state = value >>> 0;
    this.#hasSpare = false;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.#advance() / 4294967296;
  }

  /** A uniform integer in [0, n), for n ≤ 2^30 (returned as a small integer, so never boxed). */
  nextInt(n: number): number {
    return Math.floor((this.#advance() / 4294967296) * n) | 0;
  }

  /** One mulberry32 step: the next 32 random bits. */
  #advance(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A standard normal variate (Box–Muller). */
  gaussian(): number {
    if (this.#hasSpare) {
      this.#hasSpare = false;
      return this.#spare;
    }
    // 1 - next() lies in (0, 1], so the logarithm is finite.
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.#spare = r * Math.sin(theta);
    this.#hasSpare = true;
    return r * Math.cos(theta);
  }
}

/**
 * The same generator as a plain function, for callers that only need uniform draws.
 * @example
 * const rand = mulberry32(42);
 * console.log(rand());
 * // => 0.6011037519201636
 */
export function mulberry32(seed: number): () => number {
  const p = new Prng(seed);
  return () => p.next();
}
