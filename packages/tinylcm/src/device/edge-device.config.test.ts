import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeviceSettings, type DeviceConfigPatch } from '@tinymlops/contracts';
import type { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import type { EdgeDevice } from './edge-device.js';
import { HAS_TEST_BUNDLE, openTestDevice } from './fixtures/test-device.js';

const AT = '2026-11-26T10:05:00.000Z';

describe.skipIf(!HAS_TEST_BUNDLE)('EdgeDevice applying configuration versions from the server', () => {
  let server: LoopbackDeviceServer;
  let dir: string;
  let cursor = 0;
  const clock = Date.parse('2026-11-26T10:00:00Z');

  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    dir = await mkdtemp(path.join(tmpdir(), 'edge-device-config-'));
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Delivers one settings document and returns the device's outcome for it. */
  const deliver = async (d: EdgeDevice, input: unknown) => {
    const settings = DeviceSettings.parse(input);
    cursor++;
    const feedbackId = `fb_${String(cursor).padStart(8, '0')}`;
    server.inbox = [{ feedbackId, cursor, issuedAt: AT, kind: 'settings', settings }];
    const round = await d.sync?.syncOnce();
    expect(round?.error).toBeUndefined();
    const ack = server.acks.at(-1) as { outcomes: { feedbackId: string; status: string; reason?: string }[] };
    return ack.outcomes.find((o) => o.feedbackId === feedbackId);
  };
  const config = (version: string, settings: z.input<typeof DeviceConfigPatch>) => ({
    configId: 'shelf-cameras',
    version,
    settings,
  });

  it('applies what it can at once, keeps the rest for its next start, and says which is which', async () => {
    const server0 = { url: server.url, enrolmentToken: ENROLMENT_TOKEN, syncIntervalSeconds: 30 };
    const opts = { now: () => clock };
    const d = await openTestDevice(dir, { dataDir: 'a', mode: 'monitoring-only', server: server0 }, opts);
    const cfg = config('1.1.0', {
      mode: 'server-assisted',
      syncIntervalSeconds: 5,
      drift: { samplesPerEpisode: 3 },
      sampling: { imageSampleRate: 0.5 },
    });
    const outcome = await deliver(d, { schemaVersion: 1, revision: 1, config: cfg });
    expect(outcome).toMatchObject({ status: 'applied' });
    expect(outcome?.reason).toBe(
      'config shelf-cameras@1.1.0: mode server-assisted (from the server); sync every 5 s; drift, sampling at the next start',
    );
    // Without a restart: the mode and the sync interval changed in the running device.
    expect([d.mode, d.sync?.syncIntervalSeconds]).toEqual(['server-assisted', 5]);
    await d.close();
    // After a restart the rest is in force too, from the stored settings.
    const again = await openTestDevice(
      dir,
      { dataDir: d.dataDir.root, mode: 'monitoring-only', server: server0 },
      opts,
    );
    expect([again.mode, again.config.drift.samplesPerEpisode, again.config.log.imageSampleRate]).toEqual([
      'server-assisted',
      3,
      0.5,
    ]);
    expect(again.config.server?.syncIntervalSeconds).toBe(5);
    // The server takes the configuration back: device.json's values return, the sync interval
    // too, although the restarted device started on the server's.
    const back = await deliver(again, { schemaVersion: 1, revision: 2 });
    expect(back).toMatchObject({
      status: 'applied',
      reason: 'mode monitoring-only (from device.json); sync every 30 s',
    });
    expect([again.mode, again.sync?.syncIntervalSeconds]).toEqual(['monitoring-only', 30]);
    await again.close();
  });

  it('refuses a configuration it cannot honour, says why, and keeps running as before', async () => {
    const server0 = { url: server.url, enrolmentToken: ENROLMENT_TOKEN };
    const d = await openTestDevice(dir, { dataDir: 'b', server: server0 }, { now: () => clock });
    const detectors = [{ kind: 'knn-distance' as const, options: { knownClasses: ['t-shirt/top', 'tshirt'] } }];
    const cfg = config('2.0.0', { mode: 'server-assisted', drift: { detectors } });
    const outcome = await deliver(d, { schemaVersion: 1, revision: 1, config: cfg });
    expect(outcome).toMatchObject({ status: 'rejected' });
    expect(outcome?.reason).toBe(
      'config shelf-cameras@2.0.0 refused: drift.detectors.0: knn-distance names classes ' +
        'model fashion-mnv2@1.0.0 does not have: tshirt',
    );
    expect(d.mode).toBe('monitoring-only');
    await d.close();
  });
});
