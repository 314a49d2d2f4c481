import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EdgeDevice } from '@tinymlops/tinylcm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import type { SimDevice } from '../sim-device.js';
import { drain, E2eHarness, engines, playFrames } from './e2e-harness.js';
import { oldDevice } from './old-device.js';

const LONG = 300_000;
const HOUR = 3_600_000;
const hasModel = existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json'));

/** The classifier's predictions on `probe`, as bytes. */
const predictions = (d: EdgeDevice, probe: Float32Array[]) =>
  JSON.stringify(probe.map((x) => d.pipeline.classifier.predict(x)));

describe.skipIf(!hasModel).each(engines(inject('postgresUrl')))(
  'the learning loop at human speed, real TinySphere on $name',
  (engine) => {
    let h: E2eHarness;
    let sim: SimDevice;
    let deviceId: string;
    beforeAll(async () => {
      h = await E2eHarness.start(engine);
      sim = await h.device(3, 'held-out-class', { frames: 600, episodes: [[20, 220]], mode: 'server-assisted' });
    }, LONG);
    afterAll(async () => h?.close(), LONG);

    it(
      'labels validated an hour after the episode ended, across a device restart, all land and are reported applied',
      async () => {
        await playFrames(sim, 260);
        await drain(h, sim);
        expect(sim.episodesEnded).toBeGreaterThanOrEqual(1);
        deviceId = sim.device.sync?.deviceId ?? '';
        const samples = await expect
          .poll(() => h.api.samples(deviceId), { timeout: 60_000, interval: 250 })
          .toHaveLength(10)
          .then(() => h.api.samples(deviceId));
        // An hour passes; the device keeps running known classes, then restarts.
        h.skewMs += HOUR;
        await playFrames(sim, 100);
        await drain(h, sim);
        await sim.close();
        h.devices.splice(h.devices.indexOf(sim), 1);
        sim = await h.device(3, 'held-out-class', { frames: 600, episodes: [[20, 220]], mode: 'server-assisted' });
        // The validated samples are no longer in the device's quarantine: the labels must carry them.
        const held = samples.filter((s) => sim.device.adaptation.quarantine.get(s.sampleId)).length;
        expect(held).toBeLessThan(samples.length);
        for (const s of samples) await h.api.validate(deviceId, s.sampleId, { decision: 'new-class', label: 'bag' });
        const round = await sim.syncOnce();
        expect(round?.error).toBeUndefined();
        expect(round?.feedbackApplied).toBe(10);
        expect(sim.device.pipeline.classifier.classes).toContain('bag');
        const deliveries = await h.api.deliveries(deviceId);
        expect(deliveries.map((d) => d.status)).toEqual(Array(10).fill('applied'));
        const after = await h.api.samples(deviceId);
        expect(after.map((s) => s.delivery?.status)).toEqual(Array(10).fill('applied'));
      },
      LONG,
    );

    it(
      'an adaptation reverted from the API rolls the device back: its predictions as before, byte for byte',
      async () => {
        await drain(h, sim); // the adaptation events and their samples reach the server
        const newest = await expect
          .poll(async () => (await h.api.adaptations(deviceId)).find((a) => a.reviewable), { timeout: 60_000 })
          .toBeDefined()
          .then(async () => (await h.api.adaptations(deviceId)).find((a) => a.reviewable));
        const d = sim.device;
        expect(newest?.stateVersionAfter).toBe(d.adaptation.stateVersion); // the device's latest change
        const probe = d.adaptation.quarantine.ledgerOf('bag').map((s) => s.features);
        const now = d.pipeline.classifier.snapshotState();
        const before = d.adaptation.store.load(newest!.stateVersionBefore).components.classifier!;
        d.pipeline.classifier.restoreState(before);
        const expected = predictions(d, probe);
        d.pipeline.classifier.restoreState(now);
        expect(JSON.stringify(now)).not.toBe(JSON.stringify(before));
        const r = await h.api.review(deviceId, newest!.seq, { decision: 'revert' });
        expect(r.adaptation.review?.delivery?.status).toBe('queued');
        expect((await sim.syncOnce())?.feedbackApplied).toBe(1);
        expect(predictions(d, probe)).toBe(expected);
        expect(JSON.stringify(d.pipeline.classifier.snapshotState())).toBe(JSON.stringify(before));
        const reviewed = (await h.api.adaptations(deviceId)).find((a) => a.seq === newest!.seq);
        expect(reviewed?.review).toMatchObject({ decision: 'reverted', delivery: { status: 'applied' } });
      },
      LONG,
    );

    it(
      'the mode set on the server takes effect on the device at its next sync, without a restart',
      async () => {
        await h.api.setMode(deviceId, 'autonomous');
        await sim.syncOnce();
        expect([sim.device.mode, sim.device.adaptation.policy.mode]).toEqual(['autonomous', 'autonomous']);
        await sim.syncOnce(); // its next heartbeat says so
        expect((await h.api.device(deviceId)).mode).toBe('autonomous');
        const [settings] = await h.api.deliveries(deviceId);
        expect(settings).toMatchObject({ kind: 'settings', status: 'applied' });
      },
      LONG,
    );

    it(
      'an old (v1) device keeps working against this server: it gets its labels, never a v2-only item',
      async () => {
        const dir = await mkdtemp(path.join(tmpdir(), 'old-device-'));
        const old = await oldDevice(h, dir);
        try {
          const sample = 'smp_olddevice01';
          await old.upload(sample);
          await expect.poll(async () => (await h.api.samples(old.deviceId)).length, { timeout: 60_000 }).toBe(1);
          await h.api.setMode(old.deviceId, 'server-assisted'); // a v2-only item it must not choke on
          await h.api.validate(old.deviceId, sample, { decision: 'new-class', label: 'bag' });
          expect((await old.client.syncOnce()).error).toBeUndefined();
          expect(old.received.map((f) => [f.sampleId, f.decision])).toEqual([[sample, 'new-class']]);
          const deliveries = await h.api.deliveries(old.deviceId);
          expect(deliveries.map((x) => [x.kind, x.status])).toEqual([
            ['label', 'acknowledged'],
            ['settings', 'rejected'],
          ]);
        } finally {
          await old.outbox.close();
          await rm(dir, { recursive: true, force: true });
        }
      },
      LONG,
    );
  },
);
