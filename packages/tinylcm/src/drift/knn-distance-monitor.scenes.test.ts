import { describe, expect, it } from 'vitest';
import { Prng } from '../random/prng.js';
import { KnnDistanceMonitor, type FrameContext } from './knn-distance-monitor.js';

const REF = { referenceMean: 10, referenceStd: 1, referenceUpdateRate: 0 };

/** `scenes` as [distance, hold, label]: each held `hold` frames, its features a point of its own plus sensor noise. */
function camera(scenes: readonly (readonly [number, number, string?])[], noise = 0.2) {
  const rng = new Prng(5);
  return scenes.flatMap(([distance, hold, label = 'coat'], k) =>
    Array.from({ length: hold }, () => ({
      distance,
      context: {
        confidence: 0.9,
        label,
        features: Float32Array.from({ length: 8 }, (_, i) => (i === k % 8 ? 30 * (1 + k) : 0) + noise * rng.gaussian()),
      } satisfies FrameContext,
    })),
  );
}

function phases(mon: KnnDistanceMonitor, frames: ReturnType<typeof camera>): string[] {
  return frames.flatMap((f, i) => {
    const e = mon.updateWithContext(f.distance, f.context).lastEvent;
    return e ? [`${e.phase}@${i}`] : [];
  });
}

describe('KnnDistanceMonitor on a camera', () => {
  const tail = camera([
    [10, 20],
    [13.5, 30],
    [10, 100],
  ]);

  it('counts a held scene once, so one unusual scene does not start an episode', () => {
    expect(phases(new KnnDistanceMonitor(REF), tail)).toEqual([]);
    // Counting every frame, the 3.5σ scene held 30 frames piles up 30 × 2.75σ.
    expect(phases(new KnnDistanceMonitor({ ...REF, sceneChange: null }), tail)).toEqual(['start@23', 'end@70']);
  });

  it('starts on a few unusual scenes, and ends while the camera rests on a known scene', () => {
    const drift = camera([
      [10, 20],
      [14, 5],
      [14.5, 3],
      [13, 8],
      [15, 6],
      [10, 200],
    ]);
    const events = phases(new KnnDistanceMonitor(REF), drift);
    expect(events).toHaveLength(2);
    expect(events[0]).toBe('start@36'); // the 4th unusual scene: 3.25 + 3.75 + 2.25 + 4.25 > 10
    expect(Number(events[1]!.slice(4))).toBeLessThan(42 + 60);
  });

  it('judges a frame against the scale of its predicted class', () => {
    const classScales = { sneaker: { mean: 0.6, std: 0.7 } };
    const scenes = (label: string) => camera(Array.from({ length: 12 }, () => [10, 1, label] as const));
    const mon = () => new KnnDistanceMonitor({ ...REF, classScales });
    // 10 is the reference for a coat, but (10 − 6) / 0.7 ≈ 5.7σ above the sneakers' own scale.
    expect(phases(mon(), scenes('coat'))).toEqual([]);
    expect(phases(mon(), scenes('sneaker'))).toEqual(['start@2']); // 3 × 4.96 > 10
    expect(phases(new KnnDistanceMonitor({ ...REF, classScales, perClass: false }), scenes('sneaker'))).toEqual([]);
  });
});
