import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DeviceConfig, PACKAGE_LIMITS, PredictionsDocument, type DeviceConfigInput } from '@tinymlops/contracts';
import { readFashionMnist, scenarioStream, type ImageSet } from '@tinymlops/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import type { OperationalMetrics } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import type { ModelRuntime } from '../runtime/model-runtime.js';
import { ENROLMENT_TOKEN, LoopbackDeviceServer } from '../sync/loopback-device-server.fixture.js';
import { buildPackage } from '../sync/package-builder.js';
import { readTarGz } from '../sync/tar-archive.js';
import { EdgeDevice } from './edge-device.js';
import { TelemetryReporter } from './telemetry-reporter.js';

const BUNDLE = path.join(REPO_ROOT, 'models/fashion-mnv2');
const hasModel = fs.existsSync(path.join(BUNDLE, 'bundle.json'));

describe('TelemetryReporter sequence numbers', () => {
  it('start from the clock in seconds (they fit the server’s 32-bit column) and never go back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telemetry-'));
    const seqFile = path.join(dir, 'seq.json');
    const now = () => Date.parse('2030-01-01T00:00:00Z');
    const t = await TelemetryReporter.open({ seqFile, now });
    t.log('warn', 'one');
    const first = (await t.drain(null))?.logs?.[0]?.seq ?? -1;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(2 ** 31);
    const again = await TelemetryReporter.open({ seqFile, now });
    again.log('warn', 'two');
    expect((await again.drain(null))?.logs?.[0]?.seq).toBe(first + 1);
    await rm(dir, { recursive: true, force: true });
  });

  it('sends metrics only when frames ran since the last drain', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telemetry-'));
    const t = await TelemetryReporter.open({ seqFile: path.join(dir, 'seq.json') });
    const ops = {
      frames: 5,
      latencyMs: { p50: 1, p95: 2 },
      cpuMsPerFrame: 1,
      rssMb: 50,
    } as unknown as OperationalMetrics;
    expect(await t.drain(ops)).toBeNull(); // nothing observed yet
    t.observe({ label: 'coat', confidence: 1, meanDistance: 1, timings: { totalMs: 1 } } as unknown as PipelineResult);
    expect((await t.drain(ops))?.metrics?.length).toBeGreaterThan(0);
    expect(await t.drain(ops)).toBeNull();
    await rm(dir, { recursive: true, force: true });
  });
  it('attaches the sampled frames (only those) as PNGs the built package stores under predictions/images/', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'telemetry-'));
    const t = await TelemetryReporter.open({ seqFile: path.join(dir, 'seq.json'), predictionEvery: 2 });
    const result = { label: 'coat', confidence: 0.8, meanDistance: 1, timings: { totalMs: 1 } } as unknown as PipelineResult; // prettier-ignore
    const frame = { data: new Uint8Array(28 * 28).fill(7), width: 28, height: 28, channels: 1 };
    for (let i = 0; i < 3; i++) t.observe(result, frame); // frames 0 and 2 are sampled
    frame.data.fill(200); // the source reuses its buffer: the samples keep what the model saw
    const parts = await t.drain(null);
    expect(parts?.predictions).toHaveLength(2);
    const pkg = await buildPackage({ packageId: 'pkg_dev_1_0000000001', deviceId: 'dev_00000001', createdAt: new Date(), parts: parts! }); // prettier-ignore
    const files = await readTarGz(pkg.archive, PACKAGE_LIMITS);
    const doc = PredictionsDocument.parse(
      JSON.parse(files.find((f) => f.path === 'predictions.json')!.bytes.toString()),
    );
    expect(doc.records).toHaveLength(2);
    for (const r of doc.records) {
      expect(r.imagePath).toMatch(/^predictions\/images\/\d+\.png$/);
      const png = files.find((f) => f.path === r.imagePath)!.bytes;
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const { default: sharp } = await import('sharp');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([28, 28]);
      expect(data[0]).toBe(7);
    }
    expect(files.filter((f) => f.path.startsWith('predictions/images/'))).toHaveLength(2);
    await rm(dir, { recursive: true, force: true });
  });
});

describe.skipIf(!hasModel)('EdgeDevice against a loopback device server', () => {
  let server: LoopbackDeviceServer;
  let set: ImageSet;
  let dir: string;
  let clock = Date.parse('2026-11-26T10:00:00Z');
  const devices: EdgeDevice[] = [];
  let linkDown = false;
  const link: typeof fetch = (input, init) =>
    linkDown ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init);

  const open = async (extra: Partial<DeviceConfigInput> = {}, runtime?: ModelRuntime) => {
    const config = DeviceConfig.parse({ schemaVersion: 1, dataDir: `d${devices.length}`, model: { bundle: BUNDLE }, source: { type: 'dataset', name: 'fashion-mnist-sample' }, server: { url: server.url, enrolmentToken: ENROLMENT_TOKEN }, ...extra }); // prettier-ignore
    const d = await EdgeDevice.open({ config, baseDir: dir, now: () => clock, fetch: link, ...(runtime ? { runtime } : {}) }); // prettier-ignore
    devices.push(d);
    return d;
  };
  const play = async (d: EdgeDevice, frames: number, episodes = [{ start: 20, end: 220 }]) => {
    for (const f of scenarioStream(set, { scenario: 'held-out-classes', frames, seed: 3, episodes }).frames) {
      clock += 1000;
      await d.process({ data: f.pixels, width: 28, height: 28, channels: 1 });
    }
  };

  beforeAll(async () => {
    server = await new LoopbackDeviceServer().start();
    set = await readFashionMnist();
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
    expect(d.drift.active).toBe(false);
    const round = await d.sync?.syncOnce();
    expect(round?.error).toBeUndefined();
    expect(round?.uploaded.length).toBeGreaterThanOrEqual(2);
    expect(d.outbox.stats().packages).toBe(0);
  });

  it('pulls and acknowledges feedback in server-assisted mode, handing it to onFeedback', async () => {
    const config = DeviceConfig.parse({ schemaVersion: 1, mode: 'server-assisted', dataDir: 'assisted', model: { bundle: BUNDLE }, source: { type: 'dataset', name: 'fashion-mnist-sample' }, server: { url: server.url, enrolmentToken: ENROLMENT_TOKEN } }); // prettier-ignore
    const seen: string[] = [];
    const d = await EdgeDevice.open({ config, baseDir: dir, now: () => clock, fetch: link, onFeedback: async (items) => void seen.push(...items.map((i) => i.feedbackId)) }); // prettier-ignore
    devices.push(d);
    server.feedback = [{ feedbackId: 'fb_00000001', cursor: 1, sampleId: 'smp_00000001', episodeId: 'ep_00000001', decision: 'new-class', label: 'bag', validatedAt: '2026-11-26T10:05:00.000Z' }]; // prettier-ignore
    const round = await d.sync?.syncOnce();
    expect(round?.feedbackApplied).toBe(1);
    expect(seen).toEqual(['fb_00000001']);
    expect(server.ackedCursor).toBe(1);
    server.feedback = [];
  });

  it('ignores a shared runtime that belongs to another bundle', async () => {
    const foreign = { modelName: 'other@9.9.9', run: () => Promise.reject(new Error('wrong runtime')) } as unknown as ModelRuntime; // prettier-ignore
    const d = await open({}, foreign);
    await expect(d.process({ data: new Uint8Array(784), width: 28, height: 28, channels: 1 })).resolves.toBeDefined();
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
});
