import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PACKAGE_LIMITS, PredictionsDocument } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { OperationalMetrics } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import { buildPackage } from '../sync/package-builder.js';
import { readTarGz } from '../sync/tar-archive.js';
import { TelemetryReporter, THUMBNAIL_MAX_SIDE, thumbnail } from './telemetry-reporter.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function seqFile(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'telemetry-'));
  dirs.push(dir);
  return path.join(dir, 'seq.json');
}

const result = (confidence = 1) =>
  ({ label: 'coat', confidence, meanDistance: 1, timings: { totalMs: 1 } }) as unknown as PipelineResult;

describe('TelemetryReporter', () => {
  it('numbers from the clock in seconds (they fit the server’s 32-bit column) and never go back', async () => {
    const file = await seqFile();
    const now = () => Date.parse('2030-01-01T00:00:00Z');
    const t = await TelemetryReporter.open({ seqFile: file, now });
    t.log('warn', 'one');
    const first = (await t.drain(null))?.logs?.[0]?.seq ?? -1;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(2 ** 31);
    const again = await TelemetryReporter.open({ seqFile: file, now });
    again.log('warn', 'two');
    expect((await again.drain(null))?.logs?.[0]?.seq).toBe(first + 1);
  });

  it('sends metrics only when frames ran since the last drain', async () => {
    const t = await TelemetryReporter.open({ seqFile: await seqFile() });
    const ops = { frames: 5, latencyMs: { p50: 1, p95: 2 }, cpuMsPerFrame: 1, rssMb: 50 } as OperationalMetrics;
    expect(await t.drain(ops)).toBeNull(); // nothing observed yet
    t.observe(result());
    expect((await t.drain(ops))?.metrics?.length).toBeGreaterThan(0);
    expect(await t.drain(ops)).toBeNull();
  });

  it('attaches the sampled frames (only those) as PNGs the built package stores under predictions/images/', async () => {
    const t = await TelemetryReporter.open({ seqFile: await seqFile(), predictionEvery: 2 });
    const frame = { data: new Uint8Array(28 * 28).fill(7), width: 28, height: 28, channels: 1 };
    for (let i = 0; i < 3; i++) t.observe(result(0.8), frame); // frames 0 and 2 are sampled
    frame.data.fill(200); // the source reuses its buffer: the samples keep what the model saw
    const parts = await t.drain(null);
    expect(parts?.predictions).toHaveLength(2);
    const deviceId = 'dev_00000001';
    const pkg = await buildPackage({
      packageId: 'pkg_dev_1_0000000001',
      deviceId,
      createdAt: new Date(),
      parts: parts!,
    });
    const files = await readTarGz(pkg.archive, PACKAGE_LIMITS);
    const predictions = files.find((f) => f.path === 'predictions.json')!.bytes.toString();
    const doc = PredictionsDocument.parse(JSON.parse(predictions));
    expect(doc.records).toHaveLength(2);
    const { default: sharp } = await import('sharp');
    for (const r of doc.records) {
      expect(r.imagePath).toMatch(/^predictions\/images\/\d+\.png$/);
      const png = files.find((f) => f.path === r.imagePath)!.bytes;
      expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
      const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([28, 28]);
      expect(data[0]).toBe(7);
    }
    expect(files.filter((f) => f.path.startsWith('predictions/images/'))).toHaveLength(2);
  });
});

describe('thumbnail', () => {
  it('shrinks a camera-sized frame to the thumbnail size, keeping its aspect ratio and content', () => {
    const width = 640;
    const height = 480;
    const data = new Uint8Array(width * height * 3);
    // Left half dark, right half bright: the thumbnail must keep that split.
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data.fill(x < width / 2 ? 10 : 240, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const t = thumbnail({ data, width, height, channels: 3 });
    expect([t.width, t.height, t.channels]).toEqual([THUMBNAIL_MAX_SIDE, 72, 3]);
    expect(t.data.length).toBe(96 * 72 * 3);
    expect(t.data[0]).toBe(10);
    expect(t.data[(96 * 10 + 90) * 3]).toBe(240);
  });

  it('copies a small frame unchanged, so a reused source buffer cannot alter it', () => {
    const data = Uint8Array.from({ length: 28 * 28 }, (_, i) => i % 256);
    const t = thumbnail({ data, width: 28, height: 28, channels: 1 });
    data.fill(0);
    expect(t.width).toBe(28);
    expect(t.data[5]).toBe(5);
  });
});
