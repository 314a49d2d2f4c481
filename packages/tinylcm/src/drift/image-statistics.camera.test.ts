import { describe, expect, it } from 'vitest';
import { corrupt, type Corruption } from '../datasets/image-corruptions.js';
import type { RawFrame } from '../features/preprocess.js';
import { Prng } from '../random/prng.js';
import { cameraScene } from './camera-scenes.fixture.js';
import { ImageStatistics } from './image-statistics.js';
import { PIXEL_STATISTICS, PixelStatistics } from './pixel-statistics.js';
import { restoreDetector } from './registry.js';

const rng = new Prng(11);

const scene = (sensor = 3): RawFrame => cameraScene(rng, { sensor });

/** `frame` after a camera fault of the benchmark's severity (0.7: σ 56 noise, 7 × 7 blur, 44 % contrast). */
const faulty = (frame: RawFrame, kind: Corruption): RawFrame => ({
  ...frame,
  data: corrupt(frame.data, 28, 28, kind, 0.7, rng.nextInt(1000)),
});

const stat = (name: (typeof PIXEL_STATISTICS)[number]) => PIXEL_STATISTICS.indexOf(name);

describe('ImageStatistics on camera faults', () => {
  for (const sensor of [0, 3]) {
    it(`fires on noisy, blurred and most washed-out scenes (sensor noise σ ${sensor})`, () => {
      const d = new ImageStatistics();
      const quiet = Array.from({ length: 600 }, () => d.update(scene(sensor)).driftDetected);
      expect(quiet.filter(Boolean)).toHaveLength(0);
      // A washed-out scene shows when its black background lifts: small objects lift it little.
      const least = { noise: 20, blur: 19, contrast: 12 };
      for (const kind of ['noise', 'blur', 'contrast'] as const) {
        const hits = Array.from({ length: 20 }, () => d.update(faulty(scene(sensor), kind)).driftDetected);
        expect(hits.filter(Boolean).length, kind).toBeGreaterThanOrEqual(least[kind]);
      }
    });
  }

  it('tests sharpness for a fall only, each statistic against its own limit', () => {
    const options = { darkThreshold: 1e6, grainThreshold: 1e6, threshold: 1e6, sharpnessThreshold: 6 };
    const d = new ImageStatistics(options);
    for (let i = 0; i < 200; i++) d.update(scene());
    // Noise raises sharpness; with grain switched off nothing answers it.
    expect(d.update(faulty(scene(), 'noise')).driftDetected).toBe(false);
    expect(d.update(faulty(scene(), 'blur')).driftDetected).toBe(true);
    expect(d.statistic).toBeGreaterThan(1e6);
  });

  it('refuses a non-positive limit, naming it', () => {
    expect(() => new ImageStatistics({ grainThreshold: 0 })).toThrow(/grainThreshold/);
    expect(() => new ImageStatistics({ sharpnessThreshold: -1 })).toThrow(/sharpnessThreshold/);
    expect(() => new ImageStatistics({ darkThreshold: 'x' as never })).toThrow(/darkThreshold/);
  });

  it('restores its limits from a snapshot, and learns again from a v1 (six-statistic) snapshot', () => {
    const d = new ImageStatistics({ warmup: 20, grainThreshold: 9, sharpnessThreshold: 5 });
    for (let i = 0; i < 40; i++) d.update(scene());
    const copy = restoreDetector(JSON.parse(JSON.stringify(d.snapshot()))) as ImageStatistics;
    expect(copy.options).toEqual(d.options);
    const probe = faulty(scene(), 'blur');
    expect(copy.update(probe).statistic).toBe(d.update(probe).statistic);
    const v1 = { ...d.snapshot(), schemaVersion: 1, state: { reference: [1, 2, 3, 4, 5, 6] } };
    const fresh = restoreDetector(v1) as ImageStatistics;
    expect(fresh.referenceSize).toBe(0);
    expect(fresh.options.grainThreshold).toBe(9);
  });
});

describe('PixelStatistics grain and sharpness', () => {
  it('grain reads the sensor noise of the flat parts; sharpness falls with blur, not with contrast', () => {
    const stats = new PixelStatistics(4096);
    const base = scene(3);
    const s = Array.from(stats.compute(base));
    expect(Array.from(stats.compute(scene(0)))[stat('grain')]).toBe(0);
    expect(s[stat('grain')]).toBeGreaterThan(0);
    expect(stats.compute(faulty(base, 'noise'))[stat('grain')]).toBeGreaterThan(4 * s[stat('grain')]!);
    expect(stats.compute(faulty(base, 'blur'))[stat('sharpness')]).toBeLessThan(s[stat('sharpness')]! - 10);
    const washed = stats.compute(faulty(base, 'contrast'))[stat('sharpness')]!;
    expect(Math.abs(washed - s[stat('sharpness')]!)).toBeLessThan(3);
  });
});
