import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_BUNDLE } from '../bundle-location.js';
import { packBundle, rebuildBundle } from '../bundle-files.js';
import type { SimDevice } from '../sim-device.js';
import { drain, E2eHarness, engines, playFrames } from './e2e-harness.js';

const LONG = 300_000;
const hasModel = existsSync(path.join(DEFAULT_BUNDLE, 'bundle.json'));
if (!hasModel) console.warn(`fleet e2e SKIPPED: ${DEFAULT_BUNDLE}/bundle.json not found (the project's model)`);

/** Every package the device saw acknowledged is on the server, once, and ingested; nothing waits or was dropped. */
async function expectNothingLostNorDuplicated(h: E2eHarness, d: SimDevice): Promise<void> {
  const deviceId = d.device.sync?.deviceId ?? '';
  const notIngested = async () =>
    (await h.api.packages(deviceId))
      .filter((p) => p.status !== 'ingested')
      .map((p) => `${p.package_id} ${p.status} ${p.error ?? ''}`);
  await expect.poll(notIngested, { timeout: 60_000, interval: 250 }).toEqual([]);
  const ids = (await h.api.packages(deviceId)).map((r) => r.package_id);
  expect(new Set(ids).size).toBe(ids.length);
  expect([...d.acked].sort()).toEqual([...ids].sort());
  expect(d.device.outbox.stats()).toMatchObject({ packages: 0, dropped: { packages: 0 }, rejected: 0 });
  const samples = await h.api.samples(deviceId);
  expect(new Set(samples.map((s) => s.sampleId)).size).toBe(samples.length);
  const episodes = await h.api.episodes(deviceId);
  expect(episodes).toHaveLength(d.episodesStarted);
  expect(episodes.filter((e) => !e.open)).toHaveLength(d.episodesEnded);
}

describe.skipIf(!hasModel).each(engines(inject('postgresUrl')))(
  'fleet end to end, real TinySphere on $name',
  (engine) => {
    let h: E2eHarness;
    let monitor: SimDevice;
    let assisted: SimDevice;

    beforeAll(async () => {
      h = await E2eHarness.start(engine);
      // Frames 0–260 run online, 300–540 offline: each stretch holds one whole drift episode
      // (200 frames of held-out classes: the monitor needs ~70–140 of them to be sure).
      const episodes: [number, number][] = [
        [20, 220],
        [320, 500],
      ];
      monitor = await h.device(0, 'held-out-class', { frames: 600, episodes });
      assisted = await h.device(1, 'held-out-class', { frames: 600, episodes, mode: 'server-assisted' });
    }, LONG);
    afterAll(async () => h?.close(), LONG);

    it(
      'devices enrol and run a held-out-class scenario; the server holds their drift episodes with samples',
      async () => {
        for (const d of [monitor, assisted]) {
          await playFrames(d, 260);
          await drain(h, d);
          expect(d.episodesStarted).toBeGreaterThanOrEqual(1);
          const deviceId = d.device.sync?.deviceId ?? '';
          expect(deviceId).toMatch(/^dev_/);
          const episodes = await expect
            .poll(() => h.api.episodes(deviceId), { timeout: 60_000, interval: 250 })
            .toSatisfy((e: { samples: number }[]) => e.length > 0 && e.every((x) => x.samples > 0))
            .then(() => h.api.episodes(deviceId));
          expect(episodes[0]?.detector.kind).toBe('knn-distance');
          const samples = await h.api.samples(deviceId);
          expect(samples.length).toBeGreaterThan(0);
          expect(samples.every((s) => s.hasImage)).toBe(true);
          await expectNothingLostNorDuplicated(h, d);
        }
      },
      LONG,
    );

    it(
      'a person validates samples through the API and the server-assisted device pulls and acknowledges them',
      async () => {
        const deviceId = assisted.device.sync?.deviceId ?? '';
        const samples = (await h.api.samples(deviceId)).slice(0, 2);
        expect(samples).toHaveLength(2);
        for (const s of samples) await h.api.validate(deviceId, s.sampleId, { decision: 'new-class', label: 'bag' });
        const pulled = await assisted.syncOnce();
        expect(pulled?.heartbeat?.feedbackPending).toBe(2);
        expect(pulled?.feedbackApplied).toBe(2);
        // The server counts what waits after the device's acknowledged cursor: nothing now.
        const after = await assisted.syncOnce();
        expect(after?.heartbeat?.feedbackPending).toBe(0);
        expect(after?.feedbackApplied).toBe(0);
      },
      LONG,
    );

    it(
      'a new model version is assigned and the device switches; a broken bundle is rolled back',
      async () => {
        const deviceId = monitor.device.sync?.deviceId ?? '';
        const v110 = path.join(h.dir, 'bundle-1.1.0');
        await rebuildBundle(DEFAULT_BUNDLE, v110, { version: '1.1.0' });
        await h.api.uploadBundle(await packBundle(v110));
        await h.api.assign(deviceId, 'fashion-mnv2', '1.1.0');
        const round = await monitor.syncOnce();
        expect(round?.model).toBe('installed');
        expect(monitor.device.status().model).toEqual({ modelId: 'fashion-mnv2', version: '1.1.0' });
        await playFrames(monitor, 20); // the new model runs frames

        const broken = path.join(h.dir, 'bundle-1.2.0');
        await rebuildBundle(DEFAULT_BUNDLE, broken, { version: '1.2.0', corruptModel: true });
        await h.api.uploadBundle(await packBundle(broken));
        await h.api.assign(deviceId, 'fashion-mnv2', '1.2.0');
        expect((await monitor.syncOnce())?.model).toBe('rolled-back');
        expect(monitor.device.status().model?.version).toBe('1.1.0');
        await playFrames(monitor, 20); // and keeps running after the failed switch
        const report = (await h.api.deployments()).find((s) => s.deviceId === deviceId)?.lastReport;
        expect(report).toMatchObject({ version: '1.2.0', status: 'rolled-back' });
        await drain(h, monitor);
        await expectNothingLostNorDuplicated(h, monitor);
      },
      LONG,
    );

    it(
      'the network is cut during a drift episode and restored: the outbox holds everything, then delivers it once',
      async () => {
        const before = assisted.episodesStarted;
        const acked = assisted.acked.size;
        assisted.net.offline = true;
        await playFrames(assisted, 280, 25); // frames 260–540 of the stream; nothing reaches the server
        assisted.net.offline = false;
        expect(assisted.lastRound?.error).toBeDefined();
        expect(assisted.acked.size).toBe(acked);
        expect(assisted.device.outbox.stats().packages).toBeGreaterThan(0);
        await drain(h, assisted);
        expect(assisted.episodesStarted).toBeGreaterThan(before);
        await expectNothingLostNorDuplicated(h, assisted);
      },
      LONG,
    );

    it(
      'the server crashes in the middle of uploads and restarts: nothing lost, nothing duplicated',
      async () => {
        monitor.net.offline = true;
        await playFrames(monitor, 240, 20); // frames 300–540: a backlog of packages, with a drift episode
        monitor.net.offline = false;
        h.skewMs += 6 * 60_000; // past the backoff the offline rounds built up
        const backlog = monitor.device.outbox.stats().packages;
        expect(backlog).toBeGreaterThan(2);
        let puts = 0;
        let crash: Promise<void> | undefined;
        monitor.net.onSent = ({ method, url }) => {
          // The crash hits the first upload of the backlog while it is on the wire. (Not a later one:
          // a package whose ingestion the crash interrupts stays 'processing' until the job lease
          // runs out — 5 minutes — before another worker takes it up; correct, but too slow to wait for.)
          if (method === 'PUT' && url.pathname.includes('/packages/') && ++puts === 1) crash = h.server.kill();
        };
        const interrupted = await monitor.syncOnce();
        monitor.net.onSent = undefined;
        await crash;
        expect(interrupted?.ran).toBe(true);
        expect(interrupted?.error).toBeDefined();
        expect(puts).toBe(1);
        expect(monitor.device.outbox.stats().packages).toBeGreaterThan(0);
        await h.restart();
        await drain(h, monitor);
        await expectNothingLostNorDuplicated(h, monitor);
      },
      LONG,
    );
  },
);
