import type { RawFrame } from '../features/preprocess.js';
import type { Prng } from '../random/prng.js';

/**
 * Test scenes for the camera detectors: a 28 × 28 textured object on black, different per call
 * (size, level), lifted by `shift` grey levels, with Gaussian sensor noise σ `sensor`. Test-only
 * (no package export), so it carries no runnable example.
 */
export function cameraScene(rng: Prng, { shift = 0, sensor = 3 } = {}): RawFrame {
  const size = 6 + rng.nextInt(7);
  const level = 90 + rng.nextInt(120);
  const data = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const inside = Math.abs(x - 14) < size && Math.abs(y - 14) < size;
      const v = (inside ? level + ((x * y) % 9) * 4 : 0) + shift + sensor * rng.gaussian();
      data[y * 28 + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { data, width: 28, height: 28, channels: 1 };
}
