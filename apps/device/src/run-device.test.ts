import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readDeviceStatus } from './device-status.js';
import { runDevice } from './run-device.js';

const bundle = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/fashion-mnv2');

describe.skipIf(!existsSync(path.join(bundle, 'bundle.json')))('runDevice (offline, real model)', () => {
  it('runs the held-out-class scenario: one drift episode starts after the unknown objects appear and ends after they go', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'device-run-'));
    const file = path.join(dir, 'device.json');
    const source = {
      type: 'dataset',
      name: 'fashion-mnist-sample',
      scenario: 'held-out-classes',
      seed: 1,
      driftAfterFrames: 200,
    };
    const config = { schemaVersion: 1, name: 'test-device', model: { bundle }, source, inference: { intervalMs: 0 } };
    await writeFile(file, JSON.stringify(config));
    const lines: string[] = [];
    const s = await runDevice({ configFile: file, maxFrames: 500, reportEvery: 0, out: (l) => lines.push(l) });
    expect(s.frames).toBe(500);
    expect(s.episodesStarted).toBe(1);
    expect(s.episodesEnded).toBe(1);
    const start = lines.find((l) => l.includes('drift episode start'));
    const startFrame = Number(/frame (\d+)/.exec(start ?? '')?.[1]);
    expect(startFrame).toBeGreaterThanOrEqual(200);
    expect(startFrame).toBeLessThan(350);
    const status = await readDeviceStatus(file);
    expect(status.model).toBe('fashion-mnv2@1.0.0');
    expect(status.deviceId).toBeNull();
  });

  it('keeps running on an empty stop signal and stops cleanly when it fires', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'device-run-'));
    const file = path.join(dir, 'device.json');
    const source = { type: 'dataset', name: 'fashion-mnist-sample' };
    await writeFile(
      file,
      JSON.stringify({ schemaVersion: 1, model: { bundle }, source, inference: { intervalMs: 5 } }),
    );
    let stop!: () => void;
    const stopSignal = new Promise<void>((r) => (stop = r));
    let frames = 0;
    const out = (l: string) => l.startsWith('frame') && ++frames === 20 && stop();
    const run = runDevice({ configFile: file, reportEvery: 1, out, stopSignal });
    const s = await run;
    expect(s.frames).toBeGreaterThanOrEqual(20);
    expect(s.frames).toBeLessThan(25);
  });
});
