import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KnnClassifier } from './classify/knn-classifier.js';
import { KnnDistanceMonitor } from './drift/knn-distance-monitor.js';
import { FeatureTransform } from './features/feature-transform.js';
import { StandardScaler } from './features/standard-scaler.js';
import { DataLogger } from './log/data-logger.js';
import { OperationalMonitor } from './log/operational-monitor.js';
import { createPipeline, type FeatureExtractor } from './pipeline.js';

/** Frames are [class id, offset]; the fake model puts a class prototype at `offset` along every axis. */
type Frame = readonly [number, number];
const fakeExtractor: FeatureExtractor<Frame, Frame> = {
  preprocess: (frame) => frame,
  extract: ([cls, offset]) => Float32Array.from({ length: 4 }, (_, i) => (i === cls ? 10 : 0) + offset),
};
/** A clock that advances 1 ms per reading, so stage timings are exact. */
const tickingClock = () => {
  let t = 0;
  return () => t++;
};
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup() {
  const knn = new KnnClassifier({ dim: 4, k: 3 });
  for (let cls = 0; cls < 2; cls++)
    for (const jitter of [-0.1, 0, 0.1])
      knn.add(
        Float32Array.from({ length: 4 }, (_, i) => (i === cls ? 10 : 0) + jitter),
        `c${cls}`,
        0,
      );
  const transform = new FeatureTransform({ scaler: new StandardScaler([0, 0, 0, 0], [1, 1, 1, 1]) });
  const monitor = new KnnDistanceMonitor({
    referenceMean: 0.15,
    referenceStd: 0.05,
    lambdaSigma: 20,
    cooldownFrames: 0,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'tinylcm-pipe-'));
  dirs.push(dir);
  const log = new DataLogger({ dir, now: () => 0, imageSampleRate: 1 });
  const ops = new OperationalMonitor({ cpuMicros: () => 0, rssBytes: () => 0 });
  const pipeline = createPipeline({
    extractor: fakeExtractor,
    transform,
    classifier: knn,
    detectors: [{ name: 'knn-distance', detector: monitor }],
    log,
    monitor: ops,
    clock: tickingClock(),
  });
  return { pipeline, log, ops };
}

describe('createPipeline', () => {
  it('classifies a frame and times every stage', async () => {
    const { pipeline } = setup();
    const r = await pipeline.process([1, 0]);
    expect(r).toMatchObject({ frameIndex: 0, label: 'c1', driftEvents: [] });
    expect(r.confidence).toBeGreaterThan(0.9);
    expect(r.neighbours.map((n) => n.label)).toEqual(['c1', 'c1', 'c1']);
    expect(Array.from(r.features)).toEqual([0, 10, 0, 0]);
    expect(r.timings).toEqual({
      preprocessMs: 1,
      inferenceMs: 1,
      transformMs: 1,
      classifyMs: 1,
      driftMs: 1,
      logMs: 1,
      totalMs: 6,
    });
  });

  it('reports one start and one end for a run of unknown frames, and logs them', async () => {
    const { pipeline, log } = setup();
    const frames: Frame[] = [
      ...Array<Frame>(10).fill([0, 0]),
      ...Array<Frame>(20).fill([2, 0]),
      ...Array<Frame>(60).fill([1, 0]),
    ];
    const events = [];
    const open: boolean[] = [];
    for (const f of frames) {
      const r = await pipeline.process(f);
      events.push(...r.driftEvents);
      open.push(r.drift.inEpisode);
    }
    expect(events.map((e) => [e.phase, e.detector, e.kind])).toEqual([
      ['start', 'knn-distance', 'knn-distance'],
      ['end', 'knn-distance', 'knn-distance'],
    ]);
    expect(events[0]?.frameIndex).toBe(10); // the first unknown frame: its distance is ~10 / 0.05 = 200σ away
    expect(open.indexOf(true)).toBe(10);
    expect(open.lastIndexOf(true)).toBe(events[1]!.frameIndex - 1);
    const logged = await log.readSince(-1);
    expect(logged.length).toBe(90);
    expect(logged.filter((r) => r['driftEvents']).map((r) => r.seq)).toEqual(events.map((e) => e.frameIndex));
    expect(logged[0]?.['features']).toMatchObject({ encoding: 'f32le-base64', dim: 4 });
  });

  it('queues overlapping calls in order and feeds the operational monitor', async () => {
    const { pipeline, ops } = setup();
    const results = await Promise.all([pipeline.process([0, 0]), pipeline.process([1, 0]), pipeline.process([0, 0])]);
    expect(results.map((r) => [r.frameIndex, r.label])).toEqual([
      [0, 'c0'],
      [1, 'c1'],
      [2, 'c0'],
    ]);
    expect(ops.metrics().frames).toBe(3);
  });

  it('attaches the image of a frame to its log record', async () => {
    const { pipeline, log } = setup();
    await pipeline.process([0, 0], { image: { bytes: Uint8Array.of(1, 2, 3), ext: 'png' } });
    expect((await log.readSince(-1))[0]?.image).toBe('images/000000000000.png');
  });

  it('fails a frame whose features have the wrong dimension with a clear error, and keeps going', async () => {
    const knn = new KnnClassifier({ dim: 4 });
    knn.add(new Float32Array(4), 'zero');
    const pipeline = createPipeline({ extractor: { extract: (n: number) => new Float32Array(n) }, classifier: knn });
    await expect(pipeline.process(3)).rejects.toThrow(/expected 4 features, got 3/);
    await expect(pipeline.process(4)).resolves.toMatchObject({ frameIndex: 1, label: 'zero' });
  });
});
