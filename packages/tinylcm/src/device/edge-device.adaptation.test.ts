import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

const dir = mkdtempSync(path.join(tmpdir(), 'edge-adapt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!HAS_TEST_BUNDLE)('EdgeDevice adaptation (real model)', () => {
  it('monitoring-only: a drifting held-out-class run leaves the classifier state bytes identical', async () => {
    const device = await openTestDevice(dir, { mode: 'monitoring-only', dataDir: dir });
    const bytes = JSON.stringify(device.pipeline.classifier.snapshotState());
    const episodes = [{ start: 80, end: 230 }];
    const stream = await sampleScenarioFrames({ scenario: 'held-out-classes', frames: 260, seed: 2, episodes });
    const frames = await playFrames(device, stream);
    expect(frames.some((f) => f.episode.started)).toBe(true); // it did drift
    expect(device.adaptation.quarantine.size).toBe(0);
    expect(JSON.stringify(device.pipeline.classifier.snapshotState())).toBe(bytes);
    expect(device.status().stateVersion).toBe(0);
    expect(readdirSync(device.dataDir.state)).toEqual([]);
    await device.close();
  }, 120_000);
});
