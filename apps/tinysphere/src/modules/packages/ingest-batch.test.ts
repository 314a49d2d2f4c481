import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../app.js';
import { FsBlobStore } from '../../storage/blob-stores/fs.js';
import { readBlob, type BlobStore } from '../../storage/blob-store.js';
import type { JobWorker } from '../../storage/job-worker.js';
import { databaseEngines } from '../../testing/database-engines.js';
import type { DriftEvent, DriftEventsDocument } from '@tinymlops/contracts';
import { buildPackage, driftDoc, metricsDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';
import { SEGMENT_MAX_PACKAGE_BYTES } from './package-upload.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A blob store that can be told to "crash" right after its next write is durable. */
function crashingStore(inner: BlobStore) {
  const state = { crashAfterNextPut: false };
  const store: BlobStore = new Proxy(inner, {
    get: (target, prop, receiver) =>
      prop === 'put'
        ? async (...args: Parameters<BlobStore['put']>) => {
            const info = await target.put(...args);
            if (state.crashAfterNextPut) {
              state.crashAfterNextPut = false;
              throw new Error('simulated crash after the blob was written');
            }
            return info;
          }
        : Reflect.get(target, prop, receiver),
  });
  return { store, state };
}

describe.each(databaseEngines())('batched ingestion on $name', (engine) => {
  let s: TestServer;
  let dir: string;
  let crashing: ReturnType<typeof crashingStore>;
  let worker: JobWorker;
  let dev: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ingest-batch-'));
    crashing = crashingStore(await FsBlobStore.open(dir));
    // No in-process loops: each test runs one claimed batch with runOnce().
    s = await startTestServer(engine, { workers: 0, blobs: crashing.store });
    worker = createWorker(s.app.ctx, 1, () => {});
    dev = await s.enrol('hw-batch-1');
  });
  afterAll(async () => {
    await s.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const metricsPackage = (id: string, from: number) =>
    buildPackage({ packageId: id, deviceId: dev.deviceId, documents: { metrics: metricsDoc(from, from + 4) } });
  const statusOf = async (id: string) =>
    (await s.db.db
      .selectFrom('packages')
      .select(['status', 'error', 'ingest_count'])
      .where('package_id', '=', id)
      .executeTakeFirst()) ?? null;
  const jobsOf = async (id: string) =>
    (await s.db.db.selectFrom('jobs').selectAll().execute()).filter((j) => j.payload['packageId'] === id);

  it('one bad package in a batch fails alone; the others are ingested once', async () => {
    const good = ['pkg_bat_good1', 'pkg_bat_good2', 'pkg_bat_good3'];
    for (const [i, id] of good.entries())
      expect((await s.upload(dev.deviceToken, id, await metricsPackage(id, i * 10))).status).toBe(202);
    const lying = await buildPackage({
      packageId: 'pkg_bat_lying',
      deviceId: dev.deviceId,
      documents: { metrics: metricsDoc(50, 51) },
      tamper: (m) => void (m.files[0]!.sha256 = 'b'.repeat(64)),
    });
    expect((await s.upload(dev.deviceToken, 'pkg_bat_lying', lying)).status).toBe(202);
    expect(await worker.runOnce()).toBe(true); // all four in one claimed batch
    for (const id of good) expect(await statusOf(id)).toMatchObject({ status: 'ingested', ingest_count: 1 });
    expect(await statusOf('pkg_bat_lying')).toMatchObject({ status: 'failed' });
    expect((await jobsOf('pkg_bat_lying'))[0]).toMatchObject({ status: 'dead' });
    expect((await jobsOf('pkg_bat_good1'))[0]).toMatchObject({ status: 'done' });
    expect(await worker.runOnce()).toBe(false);
  });

  it('an episode told in several packages of one batch, and again later, is one row with the first start and end', async () => {
    await s.db.db
      .updateTable('devices')
      .set({ model_id: 'fashion', model_version: '1.2.0' })
      .where('id', '=', dev.deviceId)
      .execute();
    const { doc } = driftDoc('ep_fold_0001', 2, { prefix: 'fold' });
    const [start, end] = doc.events as [DriftEvent, DriftEvent];
    const docWith = (events: DriftEvent[], samples = doc.samples) => ({ ...doc, events, samples });
    const later = {
      ...end,
      eventId: 'eve_fold_late',
      at: '2026-11-26T11:00:00.000Z',
      statistics: { meanDistance: 9, ph: 1 },
    };
    const packages: [string, DriftEventsDocument][] = [
      ['pkg_fold_0001', docWith([start], doc.samples.slice(0, 1))],
      [
        'pkg_fold_0002',
        docWith([{ ...start, eventId: 'evs_fold_again', at: '2026-11-26T10:30:00.000Z' }, end], doc.samples.slice(1)),
      ],
      ['pkg_fold_0003', docWith([later], [])],
    ];
    for (const [i, [id, d]] of packages.entries()) {
      const body = await buildPackage({ packageId: id, deviceId: dev.deviceId, documents: { 'drift-events': d } });
      expect((await s.upload(dev.deviceToken, id, body)).status).toBe(202);
      if (i === 1) expect(await worker.runOnce()).toBe(true); // the first two in one batch
    }
    expect(await worker.runOnce()).toBe(true);
    const row = await s.db.db
      .selectFrom('drift_episodes')
      .selectAll()
      .where('episode_id', '=', 'ep_fold_0001')
      .execute();
    expect(row).toHaveLength(1);
    expect(row[0]).toMatchObject({
      start_event_id: start.eventId,
      end_event_id: end.eventId,
      model_id: 'fashion',
      model_version: '1.2.0',
      statistics: { meanDistance: 9, ph: 1 },
      thresholds: start.thresholds,
    });
    expect(new Date(row[0]!.started_at!).toISOString()).toBe(start.at);
    expect(new Date(row[0]!.ended_at!).toISOString()).toBe(end.at);
    const samples = await s.db.db
      .selectFrom('drift_samples')
      .select('sample_id')
      .where('episode_id', '=', 'ep_fold_0001')
      .execute();
    expect(samples).toHaveLength(2);
  });

  it('a package whose rows the database refuses is retried alone; the rest of its batch commits', async () => {
    const ok = await metricsPackage('pkg_bat_rows1', 100);
    const { doc } = driftDoc('ep_batrows01', 2);
    // The contracts bound every column they feed, so a trigger plays the refusing database.
    await sql`CREATE OR REPLACE FUNCTION refuse_rows2() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.package_id = 'pkg_bat_rows2' THEN RAISE EXCEPTION 'refused for the test'; END IF; RETURN NEW; END $$`.execute(
      s.db.db,
    );
    await sql`CREATE TRIGGER refuse_rows2 BEFORE INSERT ON drift_samples FOR EACH ROW EXECUTE FUNCTION refuse_rows2()`.execute(
      s.db.db,
    );
    const bad = await buildPackage({
      packageId: 'pkg_bat_rows2',
      deviceId: dev.deviceId,
      documents: { 'drift-events': doc },
    });
    expect((await s.upload(dev.deviceToken, 'pkg_bat_rows1', ok)).status).toBe(202);
    expect((await s.upload(dev.deviceToken, 'pkg_bat_rows2', bad)).status).toBe(202);
    expect(await worker.runOnce()).toBe(true);
    expect(await statusOf('pkg_bat_rows1')).toMatchObject({ status: 'ingested' });
    // A database error is not the package's fault: retried later, not dead-lettered at once.
    expect((await jobsOf('pkg_bat_rows2'))[0]).toMatchObject({ status: 'queued', attempts: 1 });
    const samples = await s.db.db
      .selectFrom('drift_samples')
      .select('sample_id')
      .where('package_id', '=', 'pkg_bat_rows2')
      .execute();
    expect(samples).toEqual([]);
    await sql`DROP TRIGGER refuse_rows2 ON drift_samples`.execute(s.db.db);
  });

  it('a crash after the blob is written but before the row commits leaves no row, and the retry succeeds', async () => {
    const body = await metricsPackage('pkg_bat_crash', 200);
    crashing.state.crashAfterNextPut = true;
    expect((await s.upload(dev.deviceToken, 'pkg_bat_crash', body)).status).toBe(500);
    expect(await statusOf('pkg_bat_crash')).toBeNull();
    expect(await jobsOf('pkg_bat_crash')).toEqual([]);
    const retry = await s.upload(dev.deviceToken, 'pkg_bat_crash', body);
    expect([retry.status, (await readJson(retry)).duplicate]).toEqual([202, false]);
    expect(await worker.runOnce()).toBe(true);
    expect(await statusOf('pkg_bat_crash')).toMatchObject({ status: 'ingested', ingest_count: 1 });
  });

  it('rows are not committed when the batch blob (written meanwhile) fails; the batch is retried', async () => {
    const { doc, images } = driftDoc('ep_batblob1', 2, { withImages: true });
    const body = await buildPackage({
      packageId: 'pkg_bat_blob1',
      deviceId: dev.deviceId,
      documents: { 'drift-events': doc },
      files: images,
    });
    expect((await s.upload(dev.deviceToken, 'pkg_bat_blob1', body)).status).toBe(202);
    crashing.state.crashAfterNextPut = true;
    expect(await worker.runOnce()).toBe(true);
    const rows = () =>
      s.db.db.selectFrom('drift_samples').select('sample_id').where('package_id', '=', 'pkg_bat_blob1').execute();
    expect(await rows()).toEqual([]);
    expect((await jobsOf('pkg_bat_blob1'))[0]).toMatchObject({ status: 'queued', attempts: 1 });
    await s.db.db
      .updateTable('jobs')
      .set({ run_at: new Date(0) })
      .where('status', '=', 'queued')
      .execute();
    expect(await worker.runOnce()).toBe(true);
    expect(await rows()).toHaveLength(2);
    expect(await statusOf('pkg_bat_blob1')).toMatchObject({ status: 'ingested', ingest_count: 1 });
  });

  it('concurrent uploads of one id are committed once: one 202, the rest 200 duplicates, one job', async () => {
    const body = await metricsPackage('pkg_bat_same', 300);
    const other = await metricsPackage('pkg_bat_same', 310);
    const statuses = (
      await Promise.all([body, body, body, body].map((b) => s.upload(dev.deviceToken, 'pkg_bat_same', b)))
    ).map((r) => r.status);
    expect(statuses.sort()).toEqual([200, 200, 200, 202]);
    expect((await s.upload(dev.deviceToken, 'pkg_bat_same', other)).status).toBe(409);
    expect(await jobsOf('pkg_bat_same')).toHaveLength(1);
    // Packages committed in one group share a segment; each one is its own byte range of it.
    const many = await Promise.all(
      [0, 1, 2, 3, 4, 5].map(async (i) => {
        const id = `pkg_bat_many${i}`;
        const b = await metricsPackage(id, 400 + 10 * i);
        return { id, b, status: (await s.upload(dev.deviceToken, id, b)).status };
      }),
    );
    expect(many.map((m) => m.status)).toEqual([202, 202, 202, 202, 202, 202]);
    for (const m of many) {
      const row = await s.db.db
        .selectFrom('packages')
        .select(['blob_key', 'blob_offset', 'blob_length'])
        .where('package_id', '=', m.id)
        .executeTakeFirstOrThrow();
      expect(await s.blobs.getRange(row.blob_key, row.blob_offset ?? 0, row.blob_length ?? 0)).toEqual(m.b);
    }
    while (await worker.runOnce());
    for (const m of many) expect(await statusOf(m.id)).toMatchObject({ status: 'ingested', ingest_count: 1 });
  });

  it('a package above the segment size streams into a blob of its own and is ingested like the rest', async () => {
    const { doc, images } = driftDoc('ep_batlarge', 2, { withImages: true });
    for (const key of Object.keys(images)) images[key] = randomBytes(700 * 1024); // incompressible: > 1 MiB gzip'd
    const body = await buildPackage({
      packageId: 'pkg_bat_large',
      deviceId: dev.deviceId,
      documents: { 'drift-events': doc },
      files: images,
    });
    expect(body.length).toBeGreaterThan(SEGMENT_MAX_PACKAGE_BYTES);
    expect((await s.upload(dev.deviceToken, 'pkg_bat_large', body)).status).toBe(202);
    const row = await s.db.db
      .selectFrom('packages')
      .select(['blob_key', 'blob_offset', 'blob_length'])
      .where('package_id', '=', 'pkg_bat_large')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ blob_offset: null, blob_length: null });
    expect(await readBlob(s.blobs, row.blob_key)).toEqual(body);
    expect((await s.upload(dev.deviceToken, 'pkg_bat_large', body)).status).toBe(200);
    expect(await worker.runOnce()).toBe(true);
    expect(await statusOf('pkg_bat_large')).toMatchObject({ status: 'ingested', ingest_count: 1 });
  });
});
