import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DRIFT_DETECTOR_KINDS, LABELLED_DRIFT_KINDS, type DriftDetectorKind } from '@tinymlops/contracts';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceFrame } from './edge-device.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

/** Every kind a device can run: all registry kinds but those that watch an error stream (labels). */
const LABEL_FREE = (Object.keys(DRIFT_DETECTOR_KINDS) as DriftDetectorKind[]).filter(
  (k) => !LABELLED_DRIFT_KINDS.includes(k),
);
/** Unknown objects (bag, ankle boot) from frame 250 to 399. */
const BLOCK = { start: 250, end: 400 };
const heldOut = (frames: number) =>
  sampleScenarioFrames({ scenario: 'held-out-classes', frames, seed: 3, episodes: [BLOCK] });

describe.skipIf(!HAS_TEST_BUNDLE)('drift.detectors on a device (real model, unknown-object block)', () => {
  let dir: string;
  beforeAll(async () => void (dir = await mkdtemp(path.join(tmpdir(), 'edge-detectors-'))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('cusum alone detects an episode in the block (it used to be dropped silently)', async () => {
    const device = await openTestDevice(dir, { dataDir: 'cusum', drift: { detectors: [{ kind: 'cusum' }] } });
    expect(device.pipeline.drift.members.map((m) => m.kind)).toEqual(['cusum']);
    const frames = await playFrames(device, await heldOut(330));
    const started = frames.filter((f) => f.episode.started);
    expect(started.map((f) => f.episode.started?.detector)).toEqual(['cusum']);
    expect(started[0]!.result.frameIndex).toBeGreaterThanOrEqual(BLOCK.start);
    await device.close();
  }, 180_000);

  it('runs every label-free kind named in the config, and each model signal fires in the block', async () => {
    expect(LABEL_FREE).toHaveLength(11);
    const detectors = LABEL_FREE.map((kind) => ({ kind }));
    const device = await openTestDevice(dir, { dataDir: 'all', drift: { detectors } });
    expect(device.pipeline.drift.members.map((m) => m.kind)).toEqual(LABEL_FREE);
    const activeFrom = new Map<string, number[]>();
    const after = (_: unknown, { result }: DeviceFrame) => {
      for (const m of device.pipeline.drift.members.filter((m) => m.active)) {
        activeFrom.set(m.kind, [...(activeFrom.get(m.kind) ?? []), result.frameIndex]);
      }
    };
    await playFrames(device, await heldOut(470), { after });
    const firedInBlock = LABEL_FREE.filter((k) => activeFrom.get(k)?.some((f) => f >= BLOCK.start));
    // Unknown objects under the same camera move no pixel statistic: the camera check must stay
    // quiet here, and it must have read the device's raw frames (its reference filled).
    expect(firedInBlock).toEqual(LABEL_FREE.filter((k) => k !== 'image-statistics'));
    const camera = device.pipeline.drift.members.find((m) => m.kind === 'image-statistics')?.detector;
    expect((camera as unknown as { referenceSize: number }).referenceSize).toBe(200);
    await device.close();
  }, 300_000);

  it('hands each entry its options (zod-checked by the config schema)', async () => {
    const detectors = [
      { kind: 'cusum', options: { h: 7 }, input: 'confidence' },
      { kind: 'knn-distance', options: { lambdaSigma: 6 } },
    ] as const;
    const device = await openTestDevice(dir, { dataDir: 'options', drift: { detectors: [...detectors] } });
    const [cusum, knn] = device.pipeline.drift.members;
    expect(cusum?.detector).toMatchObject({ kind: 'cusum', options: { h: 7 } });
    expect(knn?.detector).toMatchObject({ kind: 'knn-distance', options: { lambdaSigma: 6 } });
    await device.close();
  });
});
