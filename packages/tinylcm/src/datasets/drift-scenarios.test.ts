import { describe, expect, it } from 'vitest';
import { scenarioStream } from './drift-scenarios.js';
import { corrupt } from './image-corruptions.js';
import type { ImageSet } from './fashion-mnist.js';

/** A synthetic 10-class set: image i is filled with grey level 10·label + 1. */
function syntheticSet(perClass = 5): ImageSet {
  const count = perClass * 10;
  const images = new Uint8Array(count * 784);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 10;
    images.fill(10 * (i % 10) + 1, i * 784, (i + 1) * 784);
  }
  return { count, width: 28, height: 28, images, labels };
}

describe('scenarioStream', () => {
  const set = syntheticSet();

  it('draws only known classes outside episodes and only held-out classes inside them', () => {
    const { frames, episodes } = scenarioStream(set, { scenario: 'held-out-classes', frames: 400, seed: 3 });
    expect(episodes).toEqual([{ start: 200, end: 350 }]);
    for (const f of frames) {
      if (f.index >= 200 && f.index < 350) {
        expect(f.driftActive).toBe(true);
        expect([8, 9]).toContain(f.label);
      } else {
        expect(f.driftActive).toBe(false);
        expect(f.label).toBeLessThan(8);
      }
    }
  });

  it('is reproducible for a seed and differs across seeds', () => {
    const labels = (seed: number) =>
      [...scenarioStream(set, { scenario: 'no-drift', frames: 50, seed }).frames].map((f) => f.label);
    expect(labels(1)).toEqual(labels(1));
    expect(labels(1)).not.toEqual(labels(2));
  });

  it('corrupts pixels only during the episode', () => {
    const frames = [...scenarioStream(set, { scenario: 'brightness', frames: 260, seed: 1 }).frames];
    const before = frames[10];
    const during = frames[250];
    expect(before?.pixels[0]).toBe(10 * (before?.label ?? 0) + 1);
    expect(during?.pixels[0]).toBe(Math.min(255, 10 * (during?.label ?? 0) + 1 + 112));
  });

  it('shifts the class mix towards trouser and sandal during class-mix drift', () => {
    const frames = [
      ...scenarioStream(set, { scenario: 'class-mix', frames: 2000, seed: 1, episodes: [{ start: 0, end: 2000 }] })
        .frames,
    ];
    const late = frames.slice(1000);
    const share = late.filter((f) => f.label === 1 || f.label === 5).length / late.length;
    expect(share).toBeGreaterThan(0.85);
  });
});

describe('corrupt', () => {
  const img = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
  it('contrast pulls pixels towards the mean, blur smooths, noise is seeded', () => {
    const c = corrupt(img, 4, 4, 'contrast', 1);
    expect(Math.max(...c) - Math.min(...c)).toBeLessThan((Math.max(...img) - Math.min(...img)) * 0.25);
    const b = corrupt(img, 4, 4, 'blur', 0.3);
    expect(b[0]).toBeGreaterThan(img[0] ?? 0);
    expect(corrupt(img, 4, 4, 'noise', 0.5, 9)).toEqual(corrupt(img, 4, 4, 'noise', 0.5, 9));
    expect(corrupt(img, 4, 4, 'noise', 0.5, 9)).not.toEqual(corrupt(img, 4, 4, 'noise', 0.5, 10));
  });
});
