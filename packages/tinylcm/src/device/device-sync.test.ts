import { sampleScenarioFrames } from '@tinymlops/testkit';
import { describe, expect, it } from 'vitest';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames, serverAndFolder } from './fixtures/test-device.js';

describe.skipIf(!HAS_TEST_BUNDLE)('DeviceSync while the server is unreachable (real model)', () => {
  const ctx = serverAndFolder('device-sync-');

  it('packages telemetry every offlinePackageSeconds instead of every round, and all of it arrives', async () => {
    let clock = Date.parse('2026-11-26T10:00:00Z');
    let linkDown = false;
    const link: typeof fetch = (input, init) => (linkDown ? Promise.reject(new TypeError('down')) : fetch(input, init));
    const serverConfig = { ...ctx.serverConfig(), syncIntervalSeconds: 60 };
    const options = { now: () => clock, fetch: link };
    const device = await openTestDevice(ctx.dir, { dataDir: 'offline', server: serverConfig }, options);
    await device.sync?.syncOnce(); // enrolled while online
    const frames = [...(await sampleScenarioFrames({ scenario: 'no-drift', frames: 60 }))];
    linkDown = true;
    let roundsRun = 0;
    for (let minute = 0; minute < 60; minute++) {
      await playFrames(device, frames.slice(minute, minute + 1), { before: () => (clock += 60_000) });
      if ((await device.sync?.syncOnce())?.ran) roundsRun++;
    }
    const packages = device.outbox.stats().packages;
    expect(roundsRun).toBeGreaterThan(packages); // some rounds ran without packaging telemetry…
    expect(packages).toBeGreaterThanOrEqual(5); // …but one package per 10 minutes did
    expect(packages).toBeLessThanOrEqual(7);
    linkDown = false;
    clock += 3_600_000;
    await device.sync?.syncOnce();
    expect(device.outbox.stats().packages).toBe(0);
    expect(ctx.server.stored.size).toBeGreaterThanOrEqual(packages);
    await device.close();
  }, 120_000);
});
