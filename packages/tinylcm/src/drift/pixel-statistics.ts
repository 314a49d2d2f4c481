import type { RawFrame } from '../features/preprocess.js';

/** The statistics {@link PixelStatistics} computes, in order. */
export const PIXEL_STATISTICS = ['mean', 'spread', 'dark', 'bright', 'edges', 'noise', 'grain', 'sharpness'] as const;

/** A frame the statistics can be read from; any other value (e.g. encoded JPEG bytes) is not one. */
export function isRawFrame(frame: unknown): frame is RawFrame {
  if (typeof frame !== 'object' || frame === null || frame instanceof Uint8Array) return false;
  const f = frame as Partial<RawFrame>;
  const sized = Number.isInteger(f.width) && Number.isInteger(f.height) && Number.isInteger(f.channels);
  return sized && f.data instanceof Uint8Array && f.data.length >= f.width! * f.height! * f.channels!;
}

/**
 * Camera-health statistics of a raw frame (grey, or the channel mean): mean level, spread (standard
 * deviation), dark and bright levels (5th and 95th percentile), edge strength (mean Laplacian
 * magnitude per 100 grey levels of spread), noise (median Laplacian magnitude), grain (10th
 * percentile of the Laplacian magnitude: sensor noise reaches the flat tenth of a scene, texture and
 * edges do not) and sharpness (10 · log₂ of the mean Laplacian magnitude per 100 of mean gradient
 * magnitude: blur takes the fine detail and leaves the coarse slopes, whatever the scene's
 * contrast; 10 per halving). They move when exposure, gain, contrast, focus or
 * sensor noise change, whatever the scene shows. Read on a
 * regular grid of at most `maxPixels` pixels (a 640 × 480 frame is read at every 9th pixel of
 * every 9th row at the default 4096); histograms instead of sorting, no allocation after the first
 * frame of a size.
 * @example
 * const stats = new PixelStatistics(4096);
 * const data = new Uint8Array(64 * 64).map((_, i) => (i % 64 < 32 ? 40 : 200));
 * const s = stats.compute({ data, width: 64, height: 64, channels: 1 });
 * console.log(Array.from(s, (x) => Math.round(x)).join(' '));
 * // => 120 80 40 200 6 0 0 67
 */
export class PixelStatistics {
  readonly #out = new Float64Array(PIXEL_STATISTICS.length);
  readonly #levels = new Uint32Array(256);
  readonly #laplace = new Uint32Array(1021);
  #grid = new Uint8Array(0);

  constructor(readonly maxPixels: number) {}

  /** The statistics of `frame` (a view reused by the next call). Frames under 3 × 3 give NaN. */
  compute(frame: RawFrame): Float64Array {
    const { width, height } = frame;
    const step = Math.max(1, Math.ceil(Math.sqrt((width * height) / this.maxPixels)));
    const gw = Math.ceil(width / step);
    const gh = Math.ceil(height / step);
    if (gw < 3 || gh < 3) return this.#out.fill(NaN);
    const g = this.#sample(frame, step, gw, gh);
    const n = gw * gh;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) sum += g[i]!;
    const mean = sum / n;
    for (let i = 0; i < n; i++) sq += (g[i]! - mean) ** 2;
    const spread = Math.sqrt(sq / n);
    const [lapSum, gradSum] = this.#laplacian(g, gw, gh);
    const inner = (gw - 2) * (gh - 2);
    const out = this.#out;
    out[0] = mean;
    out[1] = spread;
    out[2] = quantile(this.#levels, n, 0.05);
    out[3] = quantile(this.#levels, n, 0.95);
    out[4] = ((lapSum / inner) * 100) / (spread + 1);
    out[5] = quantile(this.#laplace, inner, 0.5);
    out[6] = quantile(this.#laplace, inner, 0.1);
    out[7] = 10 * Math.log2(1 + (lapSum * 100) / (gradSum + 1));
    return out;
  }

  /** Counts |Laplacian| of the inner pixels; returns its sum and the sum of |central differences|. */
  #laplacian(g: Uint8Array, gw: number, gh: number): [number, number] {
    this.#laplace.fill(0);
    let lapSum = 0;
    let gradSum = 0;
    for (let y = 1; y < gh - 1; y++) {
      for (let x = 1, i = y * gw + 1; x < gw - 1; x++, i++) {
        const v = Math.abs(4 * g[i]! - g[i - 1]! - g[i + 1]! - g[i - gw]! - g[i + gw]!);
        this.#laplace[v]!++;
        lapSum += v;
        gradSum += Math.abs(g[i + 1]! - g[i - 1]!) + Math.abs(g[i + gw]! - g[i - gw]!);
      }
    }
    return [lapSum, gradSum];
  }

  #sample(frame: RawFrame, step: number, gw: number, gh: number): Uint8Array {
    if (this.#grid.length !== gw * gh) this.#grid = new Uint8Array(gw * gh);
    const { data, width, channels: c } = frame;
    this.#levels.fill(0);
    for (let gy = 0, k = 0; gy < gh; gy++) {
      for (let gx = 0, at = gy * step * width * c; gx < gw; gx++, k++, at += step * c) {
        let v = data[at]!;
        if (c >= 3) v = Math.round((data[at]! + data[at + 1]! + data[at + 2]!) / 3);
        this.#grid[k] = v;
        this.#levels[v]!++;
      }
    }
    return this.#grid;
  }
}

/** The smallest level at or below which a share `q` of the `n` counted values lie. */
function quantile(histogram: Uint32Array, n: number, q: number): number {
  const want = Math.max(1, Math.ceil(q * n));
  for (let v = 0, seen = 0; v < histogram.length; v++) {
    seen += histogram[v]!;
    if (seen >= want) return v;
  }
  return histogram.length - 1;
}
