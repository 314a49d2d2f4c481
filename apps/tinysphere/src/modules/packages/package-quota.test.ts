import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../app.js';
import { databaseEngines } from '../../testing/database-engines.js';
import { expectError } from '../../testing/expect-error.js';
import { buildPackage, metricsDoc } from '../../testing/package-archive.js';
import { readJson, startTestServer, type TestServer } from '../../testing/test-server.js';

const DAY = 86_400_000;
/** gzip'd random bytes: a package the server accepts (202) and ingestion then fails for good. */
const garbage = (n: number) => gzipSync(randomBytes(n), { level: 0 });

/**
 * Probe finding 3: one device filled the disk with garbage packages (202, then kept for ever).
 * Quotas per device bound what it can store; the server's own schedule prunes failed archives.
 */
describe.each(databaseEngines())('per-device quotas and scheduled pruning on $name', (engine) => {
  let s: TestServer;
  let clock = Date.parse('2026-11-26T10:00:00.000Z');
  let dev: { deviceId: string; deviceToken: string };
  let other: { deviceId: string; deviceToken: string };
  beforeAll(async () => {
    s = await startTestServer(engine, {
      now: () => new Date(clock),
      workers: 0,
      config: {
        quotas: { storedBytes: 350_000, pendingBytes: 0, packagesPerDay: 0 },
        failedRetentionMs: 7 * DAY,
        archiveRetentionMs: 30 * DAY,
        // On, so each task is claimed once per interval (its first run, at start, finds nothing to do).
        maintenanceIntervalMs: 3_600_000,
      },
    });
    dev = await s.enrol('hw-hog');
    other = await s.enrol('hw-neighbour');
  });
  afterAll(() => s.stop());

  const ingestAll = async () => {
    const worker = createWorker(s.app.ctx, 1, () => {});
    while (await worker.runOnce());
  };
  const usage = (deviceId: string) =>
    s.db.db.selectFrom('device_usage').selectAll().where('device_id', '=', deviceId).executeTakeFirst();

  it('refuses a device over its storage quota with 429 QUOTA_EXCEEDED, and only that device', async () => {
    const bodies = [garbage(100_000), garbage(100_000), garbage(100_000)];
    for (const [i, b] of bodies.entries())
      expect((await s.upload(dev.deviceToken, `pkg_junk_${i}`, b)).status).toBe(202);
    const over = await s.upload(dev.deviceToken, 'pkg_junk_3', garbage(100_000));
    await expectError(over, 429, 'QUOTA_EXCEEDED');
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    // A replay of what the server has is still answered as one, so the device can drop it.
    const replay = await s.upload(dev.deviceToken, 'pkg_junk_0', bodies[0]!);
    expect([replay.status, (await readJson(replay)).duplicate]).toEqual([200, true]);
    // Larger than the whole quota: it can never fit, so the device rejects it for good.
    await expectError(await s.upload(dev.deviceToken, 'pkg_huge', garbage(400_000)), 413, 'PAYLOAD_TOO_LARGE');
    expect((await s.upload(other.deviceToken, 'pkg_fine_0', garbage(100_000))).status).toBe(202);
    const metrics = await (await s.call('GET', '/metrics')).text();
    expect(metrics).toMatch(/tinysphere_quota_rejections_total\{quota="stored"\} 1/);
    expect(metrics).toMatch(/tinysphere_quota_rejections_total\{quota="size"\} 1/);
  });

  it('prunes garbage (failed) archives on its schedule, which frees the quota', async () => {
    await ingestAll();
    const failed = await s.db.db
      .selectFrom('packages')
      .select(['package_id', 'status', 'blob_key'])
      .where('device_id', '=', dev.deviceId)
      .execute();
    expect(failed.map((p) => p.status)).toEqual(['failed', 'failed', 'failed']);
    expect(Number((await usage(dev.deviceId))?.stored_bytes)).toBeGreaterThan(300_000);
    expect((await s.app.maintenance.runOnce({ force: true })).prune?.packages ?? 0).toBe(0); // too young
    clock += 8 * DAY;
    const run = await s.app.maintenance.runOnce();
    expect(run.prune).toMatchObject({ failed: { packages: 4 } }); // both devices' garbage
    for (const p of failed) expect(await s.blobs.head(p.blob_key)).toBeNull();
    expect(Number((await usage(dev.deviceId))?.stored_bytes)).toBe(0);
    expect((await s.upload(dev.deviceToken, 'pkg_junk_4', garbage(100_000))).status).toBe(202);
    const metrics = await (await s.call('GET', '/metrics')).text();
    expect(metrics).toMatch(/tinysphere_pruned_archives_total\{status="failed"\} 4/);
    const runs = /tinysphere_maintenance_runs_total\{task="prune-archives",outcome="done"\} (\d+)/.exec(metrics);
    expect(Number(runs?.[1])).toBeGreaterThanOrEqual(2); // the forced run and this one (and the one at start)
  });

  it('claims each task once per interval, so of several processes only one runs it', async () => {
    const again = await s.app.maintenance.runOnce();
    expect(again).toEqual({}); // this interval's run is taken
  });

  it('counts packages per UTC day and bytes waiting for ingestion', async () => {
    const t = await startTestServer(engine, {
      now: () => new Date(clock),
      workers: 0,
      config: { quotas: { storedBytes: 0, pendingBytes: 0, packagesPerDay: 2 } },
    });
    try {
      const d = await t.enrol('hw-chatty');
      const pkg = (i: number) =>
        buildPackage({ packageId: `pkg_day_${i}`, deviceId: d.deviceId, documents: { metrics: metricsDoc(i, i) } });
      expect((await t.upload(d.deviceToken, 'pkg_day_0', await pkg(0))).status).toBe(202);
      expect((await t.upload(d.deviceToken, 'pkg_day_1', await pkg(1))).status).toBe(202);
      const over = await t.upload(d.deviceToken, 'pkg_day_2', await pkg(2));
      await expectError(over, 429, 'QUOTA_EXCEEDED');
      const untilMidnight = (Date.parse('2026-12-05T00:00:00.000Z') - clock) / 1000;
      expect(Number(over.headers.get('retry-after'))).toBe(Math.ceil(untilMidnight));
      clock += DAY;
      expect((await t.upload(d.deviceToken, 'pkg_day_2', await pkg(2))).status).toBe(202);
    } finally {
      await t.stop();
    }
  });

  it('refuses bytes beyond what may wait for ingestion until ingestion catches up', async () => {
    const bodies = await Promise.all(
      [0, 1, 2].map((i) =>
        buildPackage({ packageId: `pkg_queue_${i}`, deviceId: 'dev_tbd', documents: { metrics: metricsDoc(i, i) } }),
      ),
    );
    const t = await startTestServer(engine, {
      workers: 0,
      config: { quotas: { storedBytes: 0, pendingBytes: Math.floor(bodies[0]!.length * 2.5), packagesPerDay: 0 } },
    });
    try {
      const d = await t.enrol('hw-flood');
      expect((await t.upload(d.deviceToken, 'pkg_queue_0', bodies[0]!)).status).toBe(202);
      expect((await t.upload(d.deviceToken, 'pkg_queue_1', bodies[1]!)).status).toBe(202);
      await expectError(await t.upload(d.deviceToken, 'pkg_queue_2', bodies[2]!), 429, 'QUOTA_EXCEEDED');
      const worker = createWorker(t.app.ctx, 1, () => {});
      while (await worker.runOnce());
      const u = await t.db.db
        .selectFrom('device_usage')
        .selectAll()
        .where('device_id', '=', d.deviceId)
        .executeTakeFirstOrThrow();
      expect(Number(u.pending_bytes)).toBe(0); // both failed (manifest names another device) and left the queue
      expect((await t.upload(d.deviceToken, 'pkg_queue_2', bodies[2]!)).status).toBe(202);
    } finally {
      await t.stop();
    }
  });
});
