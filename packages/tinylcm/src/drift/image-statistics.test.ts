import { describe, expect, it } from 'vitest';
import type { RawFrame } from '../features/preprocess.js';
import { Prng } from '../random/prng.js';
import { detectorSetMembers } from './detector-set-config.js';
import { cameraScene } from './camera-scenes.fixture.js';
import { DetectorSet } from './detector-set.js';
import { ImageStatistics } from './image-statistics.js';
import { PixelStatistics } from './pixel-statistics.js';
import { restoreDetector } from './registry.js';

const rng = new Prng(7);

const scene = (shift = 0): RawFrame => cameraScene(rng, { shift });

const features = (k: number) => [k * 10, 0];

describe('ImageStatistics', () => {
  it('stays quiet on 2,000 stationary frames and fires on the first brightened frame', () => {
    const d = new ImageStatistics();
    const quiet = Array.from({ length: 2000 }, () => d.update(scene()).driftDetected);
    expect(quiet.filter(Boolean)).toHaveLength(0);
    expect(d.referenceSize).toBe(200);
    expect(d.update(scene(60)).driftDetected).toBe(true);
    expect(d.statistic).toBeGreaterThan(40);
  });

  it('honours the warm-up: no test (statistic NaN) before `warmup` frames, however odd they are', () => {
    const d = new ImageStatistics({ warmup: 10 });
    for (let i = 0; i < 9; i++) expect(d.update(scene(i % 2 ? 80 : 0)).driftDetected).toBe(false);
    expect(d.statistic).toBeNaN();
    d.update(scene());
    expect(d.referenceSize).toBe(10);
  });

  it('keeps its reference through a drift (no relearning from drifted frames)', () => {
    const d = new ImageStatistics({ warmup: 20 });
    for (let i = 0; i < 50; i++) d.update(scene());
    const size = d.referenceSize;
    for (let i = 0; i < 20; i++) expect(d.update(scene(60)).driftDetected).toBe(true);
    expect(d.referenceSize).toBe(size);
  });

  it('ignores and counts what is not a raw frame (encoded bytes, wrong sizes)', () => {
    const d = new ImageStatistics();
    d.update(new Uint8Array(100) as never).update({ data: new Uint8Array(4), width: 28, height: 28, channels: 1 });
    expect(d.ignoredCount).toBe(2);
    expect(d.referenceSize).toBe(0);
  });

  it('refuses misspelt or out-of-range options, naming them', () => {
    expect(() => new ImageStatistics({ treshold: 3 } as never)).toThrow(/unknown option "treshold"/);
    expect(() => new ImageStatistics({ warmup: 50, maxReference: 20 })).toThrow(/maxReference/);
    const entry = { kind: 'image-statistics', options: { warmUp: 5 } } as const;
    expect(() => detectorSetMembers([entry as never])).toThrow(/0\.options: unknown option "warmUp"/);
  });

  it('round-trips through a snapshot', () => {
    const d = new ImageStatistics({ warmup: 20 });
    for (let i = 0; i < 40; i++) d.update(scene());
    const copy = restoreDetector(JSON.parse(JSON.stringify(d.snapshot()))) as ImageStatistics;
    expect(copy.snapshot()).toEqual(d.snapshot());
    const probe = scene(40);
    expect(copy.update(probe).statistic).toBe(d.update(probe).statistic);
  });
});

describe('ImageStatistics in a detector set', () => {
  const camera = () =>
    new DetectorSet(
      detectorSetMembers([{ kind: 'image-statistics', name: 'camera', sceneChange: 0.8, quietFrames: 120 }]),
    );
  const frame = (image: RawFrame | undefined, k: number) => ({
    label: 'coat',
    confidence: 0.9,
    meanDistance: 1,
    neighbours: [],
    features: features(k),
    image,
  });

  it('reads one frame per scene: a held scene is one observation', () => {
    const set = camera();
    const detector = set.members[0]!.detector as ImageStatistics;
    for (let k = 0; k < 40; k++) {
      const held = scene();
      for (let j = 0; j < 25; j++) set.update(frame(held, k), k * 25 + j);
    }
    expect(detector.referenceSize).toBe(40);
    expect(set.episode).toBe(0);
  });

  it('opens one episode on the first scene of a brightness shift, held 30 frames', () => {
    const set = camera();
    for (let k = 0; k < 40; k++) set.update(frame(scene(), k), k);
    const bright = scene(70);
    const events = Array.from({ length: 30 }, (_, j) => set.update(frame(bright, 40), 40 + j)).flat();
    expect(events.map((e) => `${e.phase}@${e.frameIndex} by ${e.detector}`)).toEqual(['start@40 by camera']);
  });

  it('never reads pixels from frames without them', () => {
    const set = camera();
    for (let k = 0; k < 40; k++) set.update(frame(undefined, k), k);
    expect((set.members[0]!.detector as ImageStatistics).referenceSize).toBe(0);
  });
});

describe('PixelStatistics', () => {
  it('reads an RGB frame as its channel mean, and a large frame on a grid of at most maxPixels', () => {
    const grey = scene();
    const rgb = new Uint8Array(grey.data.length * 3).map((_, i) => grey.data[Math.floor(i / 3)]!);
    const stats = new PixelStatistics(4096);
    const a = Array.from(stats.compute(grey));
    expect(Array.from(stats.compute({ ...grey, data: rgb, channels: 3 }))).toEqual(a);
    const big = { data: new Uint8Array(640 * 480).fill(100), width: 640, height: 480, channels: 1 };
    const s = stats.compute(big);
    expect([s[0], s[1], s[2], s[3], s[5]]).toEqual([100, 0, 100, 100, 0]);
  });
});
