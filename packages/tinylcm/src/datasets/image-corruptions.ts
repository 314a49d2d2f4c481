import { Prng } from '../random/prng.js';

/** Corruptions that model a degrading camera: lighting, contrast, focus and sensor noise. */
export const CORRUPTIONS = ['brightness', 'contrast', 'blur', 'noise'] as const;
export type Corruption = (typeof CORRUPTIONS)[number];

const clamp = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/**
 * Applies a corruption of `severity` ∈ [0, 1] to a grayscale image (returns a new buffer).
 * brightness: +severity·160 grey levels; contrast: pixels pulled towards the mean by
 * (1 − 0.8·severity); blur: box blur of radius ⌈3·severity⌉; noise: Gaussian σ = 80·severity.
 * @example
 * const dim = corrupt(img, 28, 28, 'contrast', 0.7, 1);
 */
export function corrupt(
  img: Uint8Array,
  width: number,
  height: number,
  kind: Corruption,
  severity: number,
  seed = 1,
): Uint8Array {
  const out = new Uint8Array(img.length);
  switch (kind) {
    case 'brightness':
      for (let i = 0; i < img.length; i++) out[i] = clamp((img[i] ?? 0) + 160 * severity);
      return out;
    case 'contrast': {
      const mean = img.reduce((a, b) => a + b, 0) / img.length;
      const f = 1 - 0.8 * severity;
      for (let i = 0; i < img.length; i++) out[i] = clamp(mean + ((img[i] ?? 0) - mean) * f);
      return out;
    }
    case 'blur':
      return boxBlur(img, width, height, Math.max(1, Math.ceil(3 * severity)));
    case 'noise': {
      const rng = new Prng(seed);
      for (let i = 0; i < img.length; i++) out[i] = clamp((img[i] ?? 0) + 80 * severity * rng.gaussian());
      return out;
    }
  }
}

function boxBlur(img: Uint8Array, w: number, h: number, r: number): Uint8Array {
  const out = new Uint8Array(img.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let sum = 0;
      let n = 0;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= h) continue;
        for (let dx = -r; dx <= r; dx++) {
          const xx = x + dx;
          if (xx < 0 || xx >= w) continue;
          sum += img[yy * w + xx] ?? 0;
          n++;
        }
      }
      out[y * w + x] = Math.round(sum / n);
    }
  }
  return out;
}
