/**
 * Correlated streams, as a camera sees them: one scene stays in view for several frames. Each image
 * of a scenario stream is held a random 1–30 frames (seeded); a scene never straddles the start or
 * the end of a drift episode, so the ground truth stays where it was and a drift starts with a new
 * scene. With `jitter` every frame of a held scene is a fresh sensor reading: Gaussian pixel noise
 * (σ 3 grey levels) and a per-frame gain (1 ± 2 %), so a held scene is never bit-identical and a
 * fix that only skips exact repeats does not help.
 */
import { Prng } from '@tinymlops/tinylcm';
import type { DriftEpisodeTruth, ScenarioFrame } from '@tinymlops/testkit';

/** How a correlated variant holds scenes. */
export interface HoldPlan {
  readonly seed: number;
  readonly jitter: boolean;
  readonly minHold: number;
  readonly maxHold: number;
}

/** Pixel noise σ and gain σ of the jitter variant (an 8-bit sensor's temporal noise and exposure flicker). */
export const JITTER = { noiseSigma: 3, gainSigma: 0.02 } as const;

/** One sensor reading of `pixels`: per-pixel noise and a per-frame gain ({@link JITTER}). */
export function jittered(pixels: Uint8Array, rng: Prng): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const gain = 1 + JITTER.gainSigma * rng.gaussian();
  for (let i = 0; i < pixels.length; i++) {
    const v = Math.round(pixels[i]! * gain + JITTER.noiseSigma * rng.gaussian());
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/**
 * The frames of `frames` with each scene held: frame j shows the image of the frame that started
 * its scene (with its label, episode and corruption), jittered per frame when the plan says so.
 * @example
 * const held = holdScenes([...frames], episodes, { seed: 1, jitter: true, minHold: 1, maxHold: 30 });
 */
export function holdScenes(
  frames: readonly ScenarioFrame[],
  episodes: readonly DriftEpisodeTruth[],
  plan: HoldPlan,
): ScenarioFrame[] {
  const cuts = [...new Set(episodes.flatMap((e) => [e.start, e.end]))].sort((a, b) => a - b);
  const holds = new Prng(plan.seed);
  const sensor = new Prng(plan.seed * 7919 + 1);
  const out: ScenarioFrame[] = [];
  for (let start = 0; start < frames.length;) {
    const length = plan.minHold + holds.nextInt(plan.maxHold - plan.minHold + 1);
    const end = Math.min(start + length, cuts.find((c) => c > start) ?? frames.length, frames.length);
    const scene = frames[start]!;
    for (let j = start; j < end; j++) {
      const pixels = plan.jitter ? jittered(scene.pixels, sensor) : scene.pixels;
      out.push({ ...scene, index: j, pixels });
    }
    start = end;
  }
  return out;
}
