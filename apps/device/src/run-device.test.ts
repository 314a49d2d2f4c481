import { describe, expect, it } from 'vitest';
import { readDeviceStatus } from './device-status.js';
import { runDevice } from './run-device.js';
import { deviceConfigFile, HAS_TEST_BUNDLE, heldOutSource } from './testing/device-config-file.js';

describe.skipIf(!HAS_TEST_BUNDLE)('runDevice (offline, real model)', () => {
  it('runs the held-out-class scenario: one drift episode starts after the unknown objects appear and ends after they go', async () => {
    const source = heldOutSource(200);
    const { file } = await deviceConfigFile({ name: 'test-device', source, inference: { intervalMs: 0 } });
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
    const source = { type: 'dataset', name: 'fashion-mnist-sample' };
    const { file } = await deviceConfigFile({ source, inference: { intervalMs: 5 } });
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
