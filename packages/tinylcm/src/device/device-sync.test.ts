import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

describe.skipIf(!HAS_TEST_BUNDLE)('DeviceSync while the server is unreachable (real model)', () => {
  let server: LoopbackDeviceServer;
  let dir: string;
  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    dir = await mkdtemp(path.join(tmpdir(), 'device-sync-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('packages telemetry every offlinePackageSeconds instead of every round, and all of it arrives', async () => {
    let clock = Date.parse('2026-11-26T10:00:00Z');
    let linkDown = false;
    const link: typeof fetch = (input, init) => (linkDown ? Promise.reject(new TypeError('down')) : fetch(input, init));
    const serverConfig = { url: server.url, enrolmentToken: ENROLMENT_TOKEN, syncIntervalSeconds: 60 };
    const options = { now: () => clock, fetch: link };
    const device = await openTestDevice(dir, { dataDir: 'offline', server: serverConfig }, options);
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
    expect(server.stored.size).toBeGreaterThanOrEqual(packages);
    await device.close();
  }, 120_000);
});
