import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { Fleet } from '../fleet.js';
import { E2eHarness, ENROLMENT_TOKEN, engines } from './e2e-harness.js';

const hasModel = existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json'));

describe.skipIf(!hasModel)('a fleet behind faulty links against a real TinySphere (PGlite)', () => {
  let h: E2eHarness;
  beforeAll(async () => {
    h = await E2eHarness.start(engines('')[0]!);
  }, 300_000);
  afterAll(async () => h?.close(), 300_000);

  it('the server holds exactly the packages each device saw acknowledged, despite injected 503s', async () => {
    const fleet = await Fleet.open({
      devices: 3,
      serverUrl: h.server.url,
      scenario: 'mixed',
      frames: 300,
      fps: 0,
      seed: 3,
      dataDir: path.join(h.dir, 'fleet'),
      bundleDir: DEFAULT_BUNDLE,
      enrolmentToken: ENROLMENT_TOKEN,
      faults: 'errors',
      syncIntervalMs: 500,
    });
    await fleet.run();
    await fleet.close({ finalSync: true });
    const summary = fleet.summary();
    expect(summary.total.frames).toBe(900);
    expect(summary.total.episodesStarted).toBeGreaterThanOrEqual(2); // held-out class and lighting
    expect(fleet.devices.reduce((n, d) => n + d.net.counters.injected5xx, 0)).toBeGreaterThan(0);
    for (const d of fleet.devices) {
      const deviceId = d.deviceId ?? '';
      expect(deviceId).toMatch(/^dev_/);
      // An injected 503 never reaches the server, so what it stored is what the device saw acked.
      const ids = (await h.api.packages(deviceId)).map((p) => p.package_id);
      expect(new Set(ids).size).toBe(ids.length);
      expect([...ids].sort()).toEqual([...d.acked].sort());
    }
  }, 300_000);
});
