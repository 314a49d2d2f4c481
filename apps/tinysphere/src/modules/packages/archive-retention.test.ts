import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../app.js';
import type { JobWorker } from '../../storage/job-worker.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { buildPackage, driftDoc, metricsDoc } from '../../testing/package-archive.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';
import { pruneIngestedArchives } from './archive-retention.js';
import { sweepUnreferencedBlobs } from './unreferenced-blobs.js';

describe.each(databaseEngines())('archive retention on $name', (engine) => {
  let s: TestServer;
  let worker: JobWorker;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine, { workers: 0 });
    worker = createWorker(s.app.ctx, 1, () => {});
    dev = await s.enrol('hw-retention');
  });
  afterAll(() => s.stop());

  const bodies = new Map<string, Buffer>();
  const upload = async (id: string, from: number) => {
    const body = await buildPackage({
      packageId: id,
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(from, from + 3) },
    });
    bodies.set(id, body);
    expect((await s.upload(dev.deviceToken, id, body)).status).toBe(202);
  };
  const row = (id: string) =>
    s.db.db
      .selectFrom('packages')
      .select(['blob_key', 'status', 'archive_pruned_at'])
      .where('package_id', '=', id)
      .executeTakeFirstOrThrow();
  const later = () => new Date(Date.now() + 60_000);

  it('deletes ingested archives past the cut-off, keeps rows and extracted data, and leaves queued ones', async () => {
    await upload('pkg_ret_done1', 0);
    await upload('pkg_ret_done2', 10);
    while (await worker.runOnce());
    await upload('pkg_ret_queued', 20); // not ingested: its archive must stay
    const [done, queued] = [await row('pkg_ret_done1'), await row('pkg_ret_queued')];
    expect(done.status).toBe('ingested');
    expect(await s.app.ctx.blobs.head(done.blob_key)).not.toBeNull();
    const metricsBefore = await s.db.db.selectFrom('metric_points').select('seq').execute();

    const dry = await pruneIngestedArchives(s.app.ctx, later(), { dryRun: true });
    expect(dry.packages).toBe(2);
    expect(await s.app.ctx.blobs.head(done.blob_key)).not.toBeNull(); // a dry run deletes nothing

    expect(await pruneIngestedArchives(s.app.ctx, new Date(0))).toMatchObject({ blobs: 0, packages: 0, bytes: 0 });
    const r = await pruneIngestedArchives(s.app.ctx, later());
    expect(r).toEqual(dry);
    expect(r.bytes).toBeGreaterThan(0);
    expect(await s.app.ctx.blobs.head(done.blob_key)).toBeNull();
    expect((await row('pkg_ret_done2')).archive_pruned_at).not.toBeNull();
    expect(await s.app.ctx.blobs.head(queued.blob_key)).not.toBeNull();
    expect((await row('pkg_ret_queued')).archive_pruned_at).toBeNull();
    expect(await s.db.db.selectFrom('metric_points').select('seq').execute()).toEqual(metricsBefore);
    expect(await pruneIngestedArchives(s.app.ctx, later())).toMatchObject({ blobs: 0, packages: 0, bytes: 0 });

    // A replay of a pruned package is still recognised as a duplicate, not stored again.
    const replay = await s.upload(dev.deviceToken, 'pkg_ret_done1', bodies.get('pkg_ret_done1') as Buffer);
    expect(replay.status).toBe(200);
  });

  it('sweeps blobs no row points at once they are old enough, and nothing a row needs', async () => {
    const { doc, images } = driftDoc('ep_sweep_001', 3, { withImages: true, prefix: 'swp' });
    const drift = await buildPackage({
      packageId: 'pkg_swp_drift',
      deviceId: dev.deviceId,
      documents: { 'drift-events': doc },
      files: images,
    });
    expect((await s.upload(dev.deviceToken, 'pkg_swp_drift', drift)).status).toBe(202);
    await upload('pkg_swp_metrics', 40);
    while (await worker.runOnce());
    const blobs = s.app.ctx.blobs;
    // What a crash between a durable blob and its commit leaves, and an interrupted prune.
    await blobs.put('ingest/2026-01-01/crashed-batch.bin', Buffer.alloc(100, 1));
    await blobs.put('packages/segments/2026-01-01/crashed.seg', Buffer.alloc(50, 2));
    const half = await row('pkg_swp_metrics');
    await s.db.db
      .updateTable('packages')
      .set({ archive_pruned_at: new Date() })
      .where('package_id', '=', 'pkg_swp_metrics')
      .execute();
    const keysNow = async () => (await blobs.list('')).map((b) => b.key);
    const before = await keysNow();
    const orphans = ['ingest/2026-01-01/crashed-batch.bin', 'packages/segments/2026-01-01/crashed.seg'];
    if (half.blob_key !== (await row('pkg_swp_drift')).blob_key) orphans.push(half.blob_key); // its own segment

    expect(await sweepUnreferencedBlobs(s.app.ctx, new Date(Date.now() - 3_600_000))).toMatchObject({ blobs: 0 });
    const dry = await sweepUnreferencedBlobs(s.app.ctx, later(), { dryRun: true });
    expect(dry.sample.sort()).toEqual([...orphans].sort());
    expect(await keysNow()).toEqual(before);
    const swept = await sweepUnreferencedBlobs(s.app.ctx, later());
    expect(swept).toEqual({ ...dry, scratch: expect.any(Number) as number });
    expect(swept.bytes).toBeGreaterThanOrEqual(150);
    expect(await keysNow()).toEqual(before.filter((k) => !orphans.includes(k)));

    const sample = `/api/v1/drift/samples/${dev.deviceId}/${doc.samples[0]!.sampleId}`;
    for (const part of ['features', 'image'])
      expect((await s.call('GET', `${sample}/${part}`, { token: s.adminToken })).status).toBe(200);
    expect(await s.upload(dev.deviceToken, 'pkg_swp_drift', drift).then((r) => r.status)).toBe(200);
  });
});
