import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { E2eHarness, ENROLMENT_TOKEN, engines } from '../e2e/e2e-harness.js';
import { Fleet } from '../fleet.js';
import { LightDevice } from './light-device.js';

const LONG = 300_000;
const hasModel = existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json'));

/**
 * Light devices replay a real pipeline's outputs through TinyLCM's own reporters, outbox and
 * sync, so the server cannot tell them from full ones: the same packages, drift episodes and
 * samples, delivered once each.
 */
describe.skipIf(!hasModel)('light devices against a real TinySphere (PGlite)', () => {
  let h: E2eHarness;
  let fleet: Fleet;
  beforeAll(async () => {
    h = await E2eHarness.start(engines('')[0]!);
    fleet = await Fleet.open({
      devices: 1,
      lightDevices: 6,
      serverUrl: h.server.url,
      scenario: 'held-out-class',
      frames: 300,
      fps: 0,
      seed: 3,
      dataDir: h.dir,
      bundleDir: DEFAULT_BUNDLE,
      enrolmentToken: ENROLMENT_TOKEN,
      faults: 'none',
      syncIntervalMs: 500,
    });
    await fleet.run();
    await fleet.close({ finalSync: true });
  }, LONG);
  afterAll(async () => h?.close(), LONG);

  it(
    'deliver every package once, with the drift episodes and samples the recorded pipeline produced',
    async () => {
      const light = fleet.devices.filter((d): d is LightDevice => d instanceof LightDevice);
      expect(light).toHaveLength(6);
      for (const d of light) {
        const deviceId = d.deviceId ?? '';
        expect(deviceId).toMatch(/^dev_/);
        expect(d.stats().frames).toBe(300);
        expect(d.episodesStarted).toBeGreaterThanOrEqual(1);
        expect(d.outbox.stats()).toMatchObject({ packages: 0, rejected: 0 });
        const settled = async () => (await h.api.packages(deviceId)).filter((p) => p.status !== 'ingested').length;
        await expect.poll(settled, { timeout: 60_000, interval: 250 }).toBe(0);
        const ids = (await h.api.packages(deviceId)).map((p) => p.package_id);
        expect([...d.acked].sort()).toEqual([...ids].sort());
        expect(await h.api.episodes(deviceId)).toHaveLength(d.episodesStarted);
        const samples = await h.api.samples(deviceId);
        expect(samples.length).toBeGreaterThan(0);
      }
    },
    LONG,
  );
});
