import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DeviceConfigInput } from '@tinymlops/contracts';
import { sampleScenarioFrames } from '@tinymlops/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import type { EdgeDevice, EdgeDeviceOptions } from './edge-device.js';
import { HAS_TEST_BUNDLE, openTestDevice, playFrames } from './fixtures/test-device.js';

describe.skipIf(!HAS_TEST_BUNDLE)('EdgeDevice against a loopback device server', () => {
  let server: LoopbackDeviceServer;
  let dir: string;
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const devices: EdgeDevice[] = [];
  let linkDown = false;
  const link: typeof fetch = (input, init) =>
    linkDown ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);

  const open = async (extra: Partial<DeviceConfigInput> = {}, options: Partial<EdgeDeviceOptions> = {}) => {
    const serverConfig = { url: server.url, enrolmentToken: ENROLMENT_TOKEN };
    const config = { dataDir: `d${devices.length}`, server: serverConfig, ...extra };
    const d = await openTestDevice(dir, config, { now: () => clock, fetch: link, ...options });
    devices.push(d);
    return d;
  };
  const play = async (d: EdgeDevice, frames: number, episodes = [{ start: 20, end: 220 }]) => {
    const stream = await sampleScenarioFrames({ scenario: 'held-out-classes', frames, seed: 3, episodes });
    return playFrames(d, stream, { before: () => (clock += 1000) });
  };

  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    dir = await mkdtemp(path.join(tmpdir(), 'edge-device-'));
  });
  afterEach(() => {
    linkDown = false;
  });
  afterAll(async () => {
    for (const d of devices) await d.close();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('enrols, reports a drift episode with samples and uploads it', async () => {
    const d = await open();
    await play(d, 260);
    expect(d.episodes.active).toBe(false);
    const round = await d.sync?.syncOnce();
    expect(round?.error).toBeUndefined();
    expect(round?.uploaded.length).toBeGreaterThanOrEqual(2);
    expect(d.outbox.stats().packages).toBe(0);
  });

  it('pulls and acknowledges feedback in server-assisted mode, handing it to onFeedback', async () => {
    const seen: string[] = [];
    const onFeedback = async (items: { feedbackId: string }[]) => void seen.push(...items.map((i) => i.feedbackId));
    const d = await open({ mode: 'server-assisted' }, { onFeedback });
    server.feedback = [
      {
        feedbackId: 'fb_00000001',
        cursor: 1,
        sampleId: 'smp_00000001',
        episodeId: 'ep_00000001',
        decision: 'new-class',
        label: 'bag',
        validatedAt: '2026-11-26T10:05:00.000Z',
      },
    ];
    const round = await d.sync?.syncOnce();
    expect(round?.feedbackApplied).toBe(1);
    expect(seen).toEqual(['fb_00000001']);
    expect(server.ackedCursor).toBe(1);
    server.feedback = [];
  });

  it('ignores a shared runtime that belongs to another bundle', async () => {
    const run = () => Promise.reject(new Error('wrong runtime'));
    const foreign = { modelName: 'other@9.9.9', run } as unknown as ModelRuntime;
    const d = await open({}, { runtime: foreign });
    const frame = { data: new Uint8Array(784), width: 28, height: 28, channels: 1 };
    await expect(d.process(frame)).resolves.toBeDefined();
  });

  it('while offline, packages telemetry only on rounds that run, not on rounds the backoff skips', async () => {
    const d = await open();
    await d.sync?.syncOnce(); // enrolled
    linkDown = true;
    await play(d, 30, []);
    const failed = await d.sync?.syncOnce();
    expect(failed?.error).toBeDefined();
    const queued = d.outbox.stats().packages;
    d.telemetry.log('warn', 'something to send'); // the clock stands still: the backoff has not passed
    const skipped = await d.sync?.syncOnce();
    expect(skipped?.ran).toBe(false);
    expect(d.outbox.stats().packages).toBe(queued);
    clock += 10 * 60_000; // past the longest backoff
    linkDown = false;
    const back = await d.sync?.syncOnce();
    expect(back?.error).toBeUndefined();
    expect(d.outbox.stats().packages).toBe(0);
  });

  it('feeds one episode state to the reporter and the adaptation: every quarantined frame was reported', async () => {
    const d = await open({ mode: 'server-assisted', drift: { samplesPerEpisode: 1000 } });
    await d.sync?.syncOnce(); // enrolled: every report becomes a package at once
    const earlier = new Set(server.stored.keys()); // other tests' devices share the server
    const frames = await play(d, 320);
    expect(d.episodes.active).toBe(false);
    const inEpisode = frames.filter((f) => f.episode.episodeId !== undefined).length;
    expect(inEpisode).toBeGreaterThan(20);
    await d.sync?.syncOnce();
    const mine = [...server.stored].filter(([id]) => !earlier.has(id));
    const uploaded = mine.map(([, p]) => gunzipSync(p.bytes).toString('latin1')).join('\n');
    const reported = new Set(uploaded.match(/"sampleId":"smp_[\w-]+"/g));
    expect(reported.size).toBe(inEpisode);
    const quarantined = d.adaptation.quarantine.pending().map((s) => `"sampleId":"${s.sampleId}"`);
    expect(quarantined.length).toBe(Math.min(inEpisode, d.adaptation.quarantine.capacity));
    expect(quarantined.filter((id) => !reported.has(id))).toEqual([]);
  });
});
