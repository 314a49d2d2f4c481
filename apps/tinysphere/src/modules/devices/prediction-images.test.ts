import { DeviceTimeline } from '@tinymlops/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

/** Distinct fake PNGs (the server stores bytes as they came; only the signature matters here). */
const png = (fill: number, n: number) => Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(n, fill)]);

describe.each(databaseEngines())('prediction images on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  const first = png(1, 40);
  const second = png(2, 90);
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-thumbs-1');
    other = await s.enrol('hw-thumbs-2');
    const at = '2026-11-26T10:00:00.000Z';
    const body = await buildPackage({
      packageId: 'pkg_thumbs_0001',
      deviceId: dev.deviceId,
      files: { 'predictions/images/10.png': first, 'predictions/images/12.png': second },
      documents: {
        'prediction-samples': {
          schemaVersion: 1,
          records: [
            { seq: 10, at, label: 'bag', confidence: 0.9, imagePath: 'predictions/images/10.png' },
            { seq: 11, at, label: 'coat', confidence: 0.5 },
            { seq: 12, at, label: 'shirt', confidence: 0.7, imagePath: 'predictions/images/12.png' },
          ],
        },
      },
    });
    expect((await s.upload(dev.deviceToken, 'pkg_thumbs_0001', body)).status).toBe(202);
    expect(await settled(dev.deviceToken, 'pkg_thumbs_0001')).toBe('ingested');
  });
  afterAll(() => s.stop());

  /** The package's final status (polled by hand: expect.poll only runs inside a test). */
  const settled = async (token: string, id: string) => {
    for (let i = 0; i < 400; i++) {
      const { status } = (await readJson(s.call('GET', `/device/v1/packages/${id}`, { token }))) as { status: string };
      if (status === 'ingested' || status === 'failed') return status;
      await new Promise((r) => setTimeout(r, 50));
    }
    return 'timeout';
  };
  const image = (deviceId: string, seq: number | string, token = s.viewerToken) =>
    s.call('GET', `/api/v1/devices/${deviceId}/predictions/${seq}/image`, { token });

  it('serves each prediction image from the package blob, and flags hasImage in the timeline', async () => {
    for (const [seq, bytes] of [
      [10, first],
      [12, second],
    ] as const) {
      const r = await image(dev.deviceId, seq);
      expect([r.status, r.headers.get('content-type')]).toEqual([200, 'image/png']);
      expect(Buffer.from(await r.arrayBuffer())).toEqual(bytes);
    }
    const t = DeviceTimeline.parse(
      await readJson(s.call('GET', `/api/v1/devices/${dev.deviceId}/timeline`, { token: s.viewerToken })),
    );
    expect(t.predictions.map((p) => [p.seq, p.hasImage])).toEqual([
      [10, true],
      [11, false],
      [12, true],
    ]);
    const blobs = await s.db.db
      .selectFrom('prediction_records')
      .select('image_key')
      .where('device_id', '=', dev.deviceId)
      .execute();
    expect(new Set(blobs.map((b) => b.image_key).filter(Boolean)).size).toBe(1); // one blob per package
  });

  it('answers 404 for a prediction without an image, a missing one, or another device’s', async () => {
    expect((await image(dev.deviceId, 11)).status).toBe(404);
    expect((await image(dev.deviceId, 99)).status).toBe(404);
    expect((await image(other.deviceId, 10)).status).toBe(404);
  });

  it('needs a viewer token', async () => {
    const r = await s.call('GET', `/api/v1/devices/${dev.deviceId}/predictions/10/image`);
    expect([401, 403]).toContain(r.status);
  });

  it('rejects a package whose prediction refers to an image it does not carry', async () => {
    const body = await buildPackage({
      packageId: 'pkg_thumbs_0002',
      deviceId: dev.deviceId,
      documents: {
        'prediction-samples': {
          schemaVersion: 1,
          records: [
            {
              seq: 20,
              at: '2026-11-26T10:00:00.000Z',
              label: 'bag',
              confidence: 0.9,
              imagePath: 'predictions/images/20.png',
            },
          ],
        },
      },
    });
    const r = await s.upload(dev.deviceToken, 'pkg_thumbs_0002', body);
    if (r.status === 202) expect(await settled(dev.deviceToken, 'pkg_thumbs_0002')).toBe('failed');
    else expect(r.status).toBeGreaterThanOrEqual(400);
    expect((await image(dev.deviceId, 20)).status).toBe(404);
  });
});
