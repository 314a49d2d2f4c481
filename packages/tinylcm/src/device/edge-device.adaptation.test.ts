import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeviceConfig } from '@tinymlops/contracts';
import { readFashionMnist, scenarioStream } from '@tinymlops/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import { EdgeDevice } from './edge-device.js';

const bundle = path.join(REPO_ROOT, 'models/fashion-mnv2');
const dir = mkdtempSync(path.join(tmpdir(), 'edge-adapt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!existsSync(path.join(bundle, 'bundle.json')))('EdgeDevice adaptation (real model)', () => {
  it('monitoring-only: a drifting held-out-class run leaves the classifier state bytes identical', async () => {
    const config = DeviceConfig.parse({ schemaVersion: 1, mode: 'monitoring-only', dataDir: dir, model: { bundle }, source: { type: 'dataset', name: 'fashion-mnist-sample' } }); // prettier-ignore
    const device = await EdgeDevice.open({ config, baseDir: dir });
    const bytes = JSON.stringify(device.pipeline.classifier.snapshotState());
    const set = await readFashionMnist();
    const { frames } = scenarioStream(set, { scenario: 'held-out-classes', frames: 260, seed: 2, episodes: [{ start: 80, end: 230 }] }); // prettier-ignore
    const phases: string[] = [];
    for (const f of frames) {
      const r = await device.process({ data: f.pixels, width: f.width, height: f.height, channels: f.channels });
      phases.push(...r.driftEvents.map((e) => e.phase));
    }
    expect(phases).toContain('start'); // it did drift
    expect(device.adaptation.quarantine.size).toBe(0);
    expect(JSON.stringify(device.pipeline.classifier.snapshotState())).toBe(bytes);
    expect(device.status().stateVersion).toBe(0);
    expect(readdirSync(path.join(device.dataDir, 'state'))).toEqual([]);
    await device.close();
  }, 120_000);
});
