import { createHash } from 'node:crypto';
import {
  DriftEventsDocument,
  MetricsDocument,
  PACKAGE_LIMITS,
  PackageManifest,
  PredictionsDocument,
  TinyMLOpsError,
  encodeFloat32,
  type DriftEvent,
} from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { buildPackage, packageIdFor } from './package-builder.js';
import { readTarGz } from './tar-archive.js';

const at = '2026-11-26T10:00:00.000Z';
const event: DriftEvent = {
  eventId: 'evt_0001aaaa',
  episodeId: 'ep_0001aaaa',
  phase: 'start',
  at,
  frameIndex: 10,
  detector: { kind: 'knn-distance', name: 'knn-distance' },
  statistics: { meanDistance: 3 },
  thresholds: { lambda: 30 },
  sampleIds: ['smp_0001aaaa'],
};
const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');

describe('buildPackage', () => {
  it('writes manifest.json first, then every listed file with its sha256, size and media type', async () => {
    const pkg = await buildPackage({
      packageId: packageIdFor('dev_8Hq2kLw0', 7),
      deviceId: 'dev_8Hq2kLw0',
      createdAt: new Date(at),
      parts: {
        drift: {
          events: [event],
          samples: [
            {
              sampleId: 'smp_0001aaaa',
              episodeId: 'ep_0001aaaa',
              capturedAt: at,
              frameIndex: 10,
              prediction: { label: 'shirt', confidence: 0.4 },
              features: encodeFloat32([1, 2, 3]),
              image: { bytes: png, mediaType: 'image/png', width: 28, height: 28 },
            },
          ],
        },
        metrics: [
          { seq: 5, at, name: 'inference_ms', value: 12 },
          { seq: 6, at, name: 'rss_mb', value: 80 },
        ],
        logs: [{ seq: 1, at, level: 'info', message: 'started' }],
      },
    });
    expect(pkg.packageId).toBe('pkg_dev_8Hq2kLw0_0000000007');
    expect(pkg.sha256).toBe(createHash('sha256').update(pkg.archive).digest('hex'));
    const files = await readTarGz(pkg.archive, PACKAGE_LIMITS);
    expect(files[0]?.path).toBe('manifest.json');
    const manifest = PackageManifest.parse(JSON.parse(files[0]?.bytes.toString('utf8') ?? ''));
    expect(manifest.types).toEqual(['drift-events', 'metrics', 'logs']);
    expect(manifest.sequences).toEqual({ metrics: { from: 5, to: 6 }, logs: { from: 1, to: 1 } });
    expect(files.slice(1).map((f) => f.path)).toEqual(manifest.files.map((f) => f.path));
    for (const entry of manifest.files) {
      const file = files.find((f) => f.path === entry.path);
      expect(file?.bytes.length).toBe(entry.size);
      expect(
        createHash('sha256')
          .update(file?.bytes ?? '')
          .digest('hex'),
      ).toBe(entry.sha256);
    }
    const drift = DriftEventsDocument.parse(
      JSON.parse(files.find((f) => f.path === 'drift/events.json')?.bytes.toString() ?? ''),
    );
    expect(drift.samples[0]?.image).toEqual({
      path: 'drift/images/smp_0001aaaa.png',
      mediaType: 'image/png',
      width: 28,
      height: 28,
    });
    expect(files.find((f) => f.path === 'drift/images/smp_0001aaaa.png')?.bytes).toEqual(png);
    const metrics = MetricsDocument.parse(
      JSON.parse(files.find((f) => f.path === 'metrics.json')?.bytes.toString() ?? ''),
    );
    expect(metrics.records.map((r) => r.seq)).toEqual([5, 6]);
  });

  it('stores prediction images next to the predictions document and points imagePath at them', async () => {
    const pkg = await buildPackage({
      packageId: 'pkg_dev_1_0000000009',
      deviceId: 'dev_00000001',
      createdAt: new Date(at),
      parts: {
        predictions: [
          { seq: 3, at, label: 'bag', confidence: 0.9 },
          { seq: 4, at, label: 'shirt', confidence: 0.7, image: { bytes: png, mediaType: 'image/png' } },
        ],
      },
    });
    const files = await readTarGz(pkg.archive, PACKAGE_LIMITS);
    const doc = PredictionsDocument.parse(
      JSON.parse(files.find((f) => f.path === 'predictions.json')?.bytes.toString() ?? ''),
    );
    expect(doc.records.map((r) => r.imagePath)).toEqual([undefined, 'predictions/images/4.png']);
    expect(pkg.manifest.sequences).toEqual({ 'prediction-samples': { from: 3, to: 4 } });
    expect(files.map((f) => f.path)).toEqual(['manifest.json', 'predictions.json', 'predictions/images/4.png']);
  });

  it('gives the same bytes for the same parts, so a rebuilt package replays as a duplicate', async () => {
    const options = {
      packageId: 'pkg_dev_1_0000000001',
      deviceId: 'dev_00000001',
      createdAt: new Date(at),
      parts: { logs: [{ seq: 1, at, level: 'warn' as const, message: 'x' }] },
    };
    expect((await buildPackage(options)).sha256).toBe((await buildPackage(options)).sha256);
  });

  it('refuses records whose seq does not increase, naming the field', async () => {
    const bad = buildPackage({
      packageId: 'pkg_dev_1_0000000002',
      deviceId: 'dev_00000001',
      createdAt: new Date(at),
      parts: {
        metrics: [
          { seq: 2, at, name: 'a', value: 1 },
          { seq: 2, at, name: 'a', value: 1 },
        ],
      },
    });
    await expect(bad).rejects.toThrow(/records: records must have strictly increasing seq/);
  });

  it('refuses a package above the archive limit with PAYLOAD_TOO_LARGE', async () => {
    const logs = Array.from({ length: 200 }, (_, i) => ({
      seq: i,
      at,
      level: 'info' as const,
      message: createHash('sha256').update(String(i)).digest('hex'),
    }));
    const err = await buildPackage({
      packageId: 'pkg_dev_1_0000000003',
      deviceId: 'dev_00000001',
      createdAt: new Date(at),
      parts: { logs },
      maxArchiveBytes: 1024,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TinyMLOpsError);
    expect((err as TinyMLOpsError).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('keeps package ids within the 64-character id limit for long device ids', () => {
    const id = packageIdFor('d'.repeat(64), 3);
    expect(id.length).toBeLessThanOrEqual(64);
    expect(id).toMatch(/^pkg_[0-9a-f]{24}_0000000003$/);
  });
});
