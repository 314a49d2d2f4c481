import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage } from '../../testing/package-archive.js';
import { readJson, startTestServer, waitUntil, type TestServer } from '../../testing/test-server.js';

const HTML = Buffer.from('<script>alert(document.cookie)</script>');
const at = '2026-11-26T10:00:00.000Z';

/**
 * Probe finding 7: a device must not choose the Content-Type its prediction images are served with
 * from the dashboard's origin (text/html, image/svg+xml run script there).
 */
describe.each(databaseEngines().slice(0, 1))('prediction image types ($name)', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine);
    dev = await s.enrol('hw-image-types');
  });
  afterAll(() => s.stop());

  const receipt = (id: string) =>
    waitUntil(
      () => readJson(s.call('GET', `/device/v1/packages/${id}`, { token: dev.deviceToken })),
      (r) => r.status === 'ingested' || r.status === 'failed',
    );

  it.each(['text/html', 'image/svg+xml'])('refuses a package that declares a prediction image as %s', async (type) => {
    const packageId = `pkg_type_${type.replace(/\W/g, '')}`;
    const path = 'predictions/images/1.png';
    const body = await buildPackage({
      packageId,
      deviceId: dev.deviceId,
      files: { [path]: HTML },
      documents: {
        'prediction-samples': {
          schemaVersion: 1,
          records: [{ seq: 1, at, label: 'bag', confidence: 1, imagePath: path }],
        },
      },
      tamper: (m) => void (m.files.find((f) => f.path === path)!.mediaType = type),
    });
    expect((await s.upload(dev.deviceToken, packageId, body)).status).toBe(202);
    const r = await receipt(packageId);
    expect(r.status).toBe('failed');
    const [row] = await s.db.db.selectFrom('packages').select('error').where('package_id', '=', packageId).execute();
    expect(row?.error).toMatch(/image\/png or image\/jpeg/);
  });

  it('serves a stored image of any other type as a download, never as a page', async () => {
    // A row as an older server may have written it.
    await s.blobs.put('ingest/legacy.bin', HTML);
    await s.db.db
      .insertInto('prediction_records')
      .values({
        device_id: dev.deviceId,
        seq: 99,
        at,
        label: 'bag',
        confidence: 1,
        knn_distance: null,
        latency_ms: null,
        features: null,
        image_key: 'ingest/legacy.bin',
        image_offset: 0,
        image_length: HTML.length,
        image_media_type: 'text/html',
      })
      .execute();
    const r = await s.call('GET', `/api/v1/devices/${dev.deviceId}/predictions/99/image`, { token: s.viewerToken });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/octet-stream');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment/);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toMatch(/sandbox/);
  });
});
