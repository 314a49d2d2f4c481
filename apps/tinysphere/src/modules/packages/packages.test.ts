import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, driftDoc, metricsDoc, packEntries } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

describe.each(databaseEngines())('package upload and ingestion on $name', (engine) => {
  let s: TestServer;
  let dev: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine, { config: { maxArchiveBytes: 256 * 1024 } });
    dev = await s.enrol('hw-pkg-1');
    other = await s.enrol('hw-pkg-2');
  });
  afterAll(() => s.stop());

  const settled = async (token: string, id: string) => {
    let status = '';
    await expect
      .poll(async () => (status = (await readJson(s.call('GET', `/device/v1/packages/${id}`, { token }))).status), {
        timeout: 20_000,
        interval: 50,
      })
      .toMatch(/ingested|failed/);
    return status;
  };
  const packageRow = (id: string) =>
    s.db.db.selectFrom('packages').selectAll().where('package_id', '=', id).executeTakeFirstOrThrow();
  const metricCount = async () => (await s.db.db.selectFrom('metric_points').select('seq').execute()).length;
  const jobOf = async (id: string) =>
    (await s.db.db.selectFrom('jobs').selectAll().execute()).find((j) => j.payload['packageId'] === id);

  it('accepts a package (202 queued), ingests every type, and answers replays with 200 duplicate', async () => {
    const { doc, images } = driftDoc('ep_all0001', 3, { withImages: true });
    const body = await buildPackage({
      packageId: 'pkg_all_0001',
      deviceId: dev.deviceId,
      files: images,
      documents: {
        'drift-events': doc,
        metrics: metricsDoc(0, 9),
        logs: {
          schemaVersion: 1,
          records: [{ seq: 0, at: '2026-11-26T10:00:00.000Z', level: 'info', message: 'hello' }],
        },
        'prediction-samples': {
          schemaVersion: 1,
          records: [{ seq: 0, at: '2026-11-26T10:00:00.000Z', label: 'bag', confidence: 0.9 }],
        },
        'state-snapshot': {
          schemaVersion: 1,
          stateVersion: 4,
          createdAt: '2026-11-26T10:00:00.000Z',
          reason: 'periodic',
          parentVersion: 3,
          components: {},
        },
        'adaptation-events': {
          schemaVersion: 1,
          records: [
            {
              seq: 0,
              at: '2026-11-26T10:00:00.000Z',
              action: 'snapshot',
              samples: 0,
              stateVersionBefore: 3,
              stateVersionAfter: 4,
              reason: 'periodic',
            },
          ],
        },
      },
    });
    const r = await s.upload(dev.deviceToken, 'pkg_all_0001', body);
    expect(r.status).toBe(202);
    expect(await readJson(r)).toMatchObject({
      packageId: 'pkg_all_0001',
      duplicate: false,
      status: 'queued',
      size: body.length,
    });
    expect(await settled(dev.deviceToken, 'pkg_all_0001')).toBe('ingested');
    const again = await s.upload(dev.deviceToken, 'pkg_all_0001', body);
    expect(again.status).toBe(200);
    expect(await readJson(again)).toMatchObject({ duplicate: true, status: 'ingested' });
    const count = async (
      t:
        | 'metric_points'
        | 'log_records'
        | 'prediction_records'
        | 'state_snapshots'
        | 'adaptation_events'
        | 'drift_samples'
        | 'drift_episodes',
    ) => (await s.db.db.selectFrom(t).select('device_id').where('device_id', '=', dev.deviceId).execute()).length;
    expect([
      await count('metric_points'),
      await count('log_records'),
      await count('prediction_records'),
      await count('state_snapshots'),
      await count('adaptation_events'),
    ]).toEqual([10, 1, 1, 1, 1]);
    expect([await count('drift_episodes'), await count('drift_samples')]).toEqual([1, 3]);
    expect((await packageRow('pkg_all_0001')).ingest_count).toBe(1);
    // Feature vectors and images (drift and prediction) share one blob: one durable write.
    const drift = await s.db.db
      .selectFrom('drift_samples')
      .select(['features_key', 'image_key'])
      .where('device_id', '=', dev.deviceId)
      .execute();
    const predictions = await s.db.db
      .selectFrom('prediction_records')
      .select('image_key')
      .where('device_id', '=', dev.deviceId)
      .execute();
    const keys = new Set([
      ...drift.flatMap((r) => [r.features_key, r.image_key]),
      ...predictions.map((r) => r.image_key),
    ]);
    keys.delete(null);
    expect(keys.size).toBe(1);
    expect(await s.blobs.head([...keys][0]!)).not.toBeNull();
  });

  it('deduplicates records re-sent in a later package (logs by seq)', async () => {
    const logs = (from: number, to: number) => ({
      schemaVersion: 1,
      records: Array.from({ length: to - from + 1 }, (_, i) => ({
        seq: from + i,
        at: '2026-11-26T10:00:00.000Z',
        level: 'info',
        message: `m${from + i}`,
      })),
    });
    await s.upload(
      dev.deviceToken,
      'pkg_logs_0001',
      await buildPackage({ packageId: 'pkg_logs_0001', deviceId: dev.deviceId, documents: { logs: logs(10, 19) } }),
    );
    await s.upload(
      dev.deviceToken,
      'pkg_logs_0002',
      await buildPackage({ packageId: 'pkg_logs_0002', deviceId: dev.deviceId, documents: { logs: logs(15, 24) } }),
    );
    expect(await settled(dev.deviceToken, 'pkg_logs_0001')).toBe('ingested');
    expect(await settled(dev.deviceToken, 'pkg_logs_0002')).toBe('ingested');
    const rows = await s.db.db
      .selectFrom('log_records')
      .select('seq')
      .where('device_id', '=', dev.deviceId)
      .where('seq', '>=', 10)
      .execute();
    expect(rows).toHaveLength(15);
  });

  it('409 for the same id with another body; 422 when the body does not match its header; 413 above the limit; no blobs left', async () => {
    const a = await buildPackage({
      packageId: 'pkg_conf_0001',
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(100, 101) },
    });
    const b = await buildPackage({
      packageId: 'pkg_conf_0001',
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(100, 102) },
    });
    expect((await s.upload(dev.deviceToken, 'pkg_conf_0001', a)).status).toBe(202);
    const before = (await s.blobs.list('packages/')).map((b) => b.key);
    const c = await s.upload(dev.deviceToken, 'pkg_conf_0001', b);
    expect([c.status, (await readJson(c)).error.code]).toEqual([409, 'CONFLICT']);
    expect((await s.upload(dev.deviceToken, 'pkg_conf_0001', a)).status).toBe(200); // a replay
    const m = await s.upload(dev.deviceToken, 'pkg_hash_0001', a, 'a'.repeat(64));
    expect([m.status, (await readJson(m)).error.code]).toEqual([422, 'HASH_MISMATCH']);
    const big = Buffer.alloc(300 * 1024, 7);
    const o = await s.upload(dev.deviceToken, 'pkg_big_00001', big);
    expect([o.status, (await readJson(o)).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const noHeader = await s.call('PUT', '/device/v1/packages/pkg_nohdr_001', {
      token: dev.deviceToken,
      body: a,
      headers: { 'content-type': 'application/gzip' },
    });
    expect([noHeader.status, (await readJson(noHeader)).error.code]).toEqual([400, 'VALIDATION_FAILED']);
    const json = await s.call('PUT', '/device/v1/packages/pkg_json_0001', {
      token: dev.deviceToken,
      json: {},
      headers: { 'x-content-sha256': 'a'.repeat(64) },
    });
    expect([json.status, (await readJson(json)).error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const badId = await s.upload(dev.deviceToken, 'bad', a);
    expect(badId.status).toBe(400);
    expect((await s.blobs.list('packages/')).map((b) => b.key)).toEqual(before);
    const rows = await s.db.db
      .selectFrom('packages')
      .select('package_id')
      .where('package_id', 'in', ['pkg_hash_0001', 'pkg_big_00001', 'pkg_nohdr_001', 'pkg_json_0001'])
      .execute();
    expect(rows).toEqual([]);
  });

  it("a device cannot see another device's packages or upload without a token", async () => {
    const body = await buildPackage({
      packageId: 'pkg_mine_0001',
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(200, 201) },
    });
    await s.upload(dev.deviceToken, 'pkg_mine_0001', body);
    expect(await settled(dev.deviceToken, 'pkg_mine_0001')).toBe('ingested');
    const r = await s.call('GET', '/device/v1/packages/pkg_mine_0001', { token: other.deviceToken });
    expect([r.status, (await readJson(r)).error.code]).toEqual([404, 'NOT_FOUND']);
    const anon = await s.call('PUT', '/device/v1/packages/pkg_anon_0001', {
      body,
      headers: { 'content-type': 'application/gzip', 'x-content-sha256': 'a'.repeat(64) },
    });
    expect(anon.status).toBe(401);
  });

  const hostile: [string, () => Promise<Buffer>, RegExp][] = [
    [
      'a compression bomb',
      async () => packEntries([{ name: 'manifest.json', body: Buffer.alloc(8 * 1024 * 1024, 0) }]),
      /compression ratio|extracted size/,
    ],
    [
      'a path traversal entry',
      async () => packEntries([{ name: '../evil.json', body: Buffer.from('{}') }]),
      /absolute or contains/,
    ],
    [
      'an absolute path',
      async () => packEntries([{ name: '/etc/evil', body: Buffer.from('{}') }]),
      /absolute or contains/,
    ],
    [
      'a symlink',
      async () => packEntries([{ name: 'manifest.json', type: 'symlink', linkname: '/etc/passwd' }]),
      /only regular files/,
    ],
    [
      'a hard link',
      async () => packEntries([{ name: 'x', type: 'link', linkname: 'manifest.json' }]),
      /only regular files/,
    ],
    [
      'a truncated gzip',
      async () =>
        (
          await buildPackage({ packageId: 'pkg_x_00000001', deviceId: 'x', documents: { metrics: metricsDoc(0, 1) } })
        ).subarray(0, 60),
      /not a valid gzip/,
    ],
    ['not gzip at all', async () => Buffer.from('hello, not an archive'), /not a valid gzip/],
    ['no manifest', async () => packEntries([{ name: 'metrics.json', body: Buffer.from('{}') }]), /no manifest/],
    [
      'a manifest that is not JSON',
      async () => packEntries([{ name: 'manifest.json', body: Buffer.from('{nope') }]),
      /not valid JSON/,
    ],
    ['an empty gzip', async () => gzipSync(Buffer.alloc(0)), /no manifest/],
  ];

  it.each(hostile)(
    'marks %s as failed, dead-letters its job with the error, and writes no rows',
    async (_name, make, error) => {
      const id = `pkg_bad_${Math.random().toString(36).slice(2, 10)}`;
      const metricsBefore = await metricCount();
      const r = await s.upload(dev.deviceToken, id, await make());
      expect(r.status).toBe(202);
      expect(await settled(dev.deviceToken, id)).toBe('failed');
      expect((await packageRow(id)).error).toMatch(error);
      await expect.poll(async () => (await jobOf(id))?.status).toBe('dead');
      expect(await jobOf(id)).toMatchObject({ attempts: 1, last_error: expect.stringMatching(error) });
      expect(await metricCount()).toBe(metricsBefore);
    },
  );

  type Make = (deviceId: string, packageId: string) => Promise<Buffer>;
  const metrics2 = metricsDoc(0, 1);
  const lying: [string, Make, RegExp][] = [
    [
      'a file whose hash lies',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { metrics: metrics2 },
          tamper: (m) => void (m.files[0]!.sha256 = 'b'.repeat(64)),
        }),
      /sha256/,
    ],
    [
      'a file whose size lies',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { metrics: metrics2 },
          tamper: (m) => void (m.files[0]!.size += 1),
        }),
      /size/,
    ],
    [
      'a listed file that is missing',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { metrics: metrics2 },
          tamper: (m) =>
            void m.files.push({ path: 'ghost.json', sha256: 'c'.repeat(64), size: 1, mediaType: 'application/json' }),
        }),
      /not in the archive/,
    ],
    [
      'an unlisted extra file',
      async (d, p) => {
        const manifest = {
          schemaVersion: 1,
          packageId: p,
          deviceId: d,
          createdAt: '2026-11-26T10:00:00.000Z',
          types: ['logs'],
          documents: { logs: 'logs.json' },
          files: [{ path: 'logs.json', sha256: 'd'.repeat(64), size: 2, mediaType: 'application/json' }],
        };
        return packEntries([
          { name: 'manifest.json', body: Buffer.from(JSON.stringify(manifest)) },
          { name: 'extra.bin', body: Buffer.from('x') },
        ]);
      },
      /not in the archive|not listed/,
    ],
    [
      'another device id',
      (_d, p) => buildPackage({ packageId: p, deviceId: 'dev_someone1', documents: { metrics: metrics2 } }),
      /not the uploading device/,
    ],
    [
      'another package id',
      (d) => buildPackage({ packageId: 'pkg_other_0001', deviceId: d, documents: { metrics: metrics2 } }),
      /not the upload's id/,
    ],
    [
      'a manifest that breaks its schema',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { metrics: metrics2 },
          tamper: (m) => void ((m as { types: unknown }).types = ['bogus']),
        }),
      /invalid manifest.json/,
    ],
    [
      'a document that breaks its schema',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { metrics: { schemaVersion: 1, records: [{ seq: 'x' }] } },
        }),
      /invalid metrics document/,
    ],
    [
      'an image reference to a missing file',
      (d, p) =>
        buildPackage({
          packageId: p,
          deviceId: d,
          documents: { 'drift-events': driftDoc('ep_miss0001', 1, { withImages: true }).doc },
        }),
      /not in the package/,
    ],
  ];

  it.each(lying)('rejects a package with %s at ingest, leaving no rows', async (_name, make, error) => {
    const id = `pkg_lie_${Math.random().toString(36).slice(2, 10)}`;
    const r = await s.upload(dev.deviceToken, id, await make(dev.deviceId, id));
    expect(r.status).toBe(202);
    expect(await settled(dev.deviceToken, id)).toBe('failed');
    expect((await packageRow(id)).error).toMatch(error);
    expect(
      await s.db.db.selectFrom('drift_samples').select('sample_id').where('episode_id', '=', 'ep_miss0001').execute(),
    ).toEqual([]);
  });
});
