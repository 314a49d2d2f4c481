/**
 * The ingest fuzzer's second stage: generated hostile packages uploaded over the real HTTP route
 * and ingested by the real worker into a real (PGlite) database. Every upload must be answered
 * below 500, and every package must end ingested or failed for good on its first attempt: a 5xx,
 * a retried job or a package left queued means hostile content was taken for a transient fault.
 * Test-only code.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { Db } from '../../../storage/database.js';
import { hostilePackages } from './hostile-packages.js';
import { watchWrites } from './write-watch.js';

/** What the server stage found. */
export interface ServerFuzzReport {
  cases: number;
  /** Upload answers by status. */
  answers: Record<string, number>;
  /** Packages by final status (ingested, failed). */
  outcomes: Record<string, number>;
  /** Uploads answered 5xx, packages not settled, jobs retried or failed on a later attempt. */
  faults: string[];
  writesOutside: string[];
}

const SECRET = 'f'.repeat(43);

/**
 * Uploads cases `from`–`to` of `seed` to an in-process server and ingests them.
 * @example
 * const r = await fuzzThroughServer(1, 0, 1000); // r.faults, r.writesOutside: []
 */
export async function fuzzThroughServer(seed: number, from: number, to: number): Promise<ServerFuzzReport> {
  const base = await readdir('/dev/shm').then(
    () => '/dev/shm',
    () => tmpdir(),
  );
  const dir = await mkdtemp(path.join(base, 'tinysphere-fuzz-server-'));
  const root = path.join(dir, 'store');
  const watch = watchWrites(root);
  const { buildApp, createWorker } = await import('../../../app.js');
  const { FsBlobStore } = await import('../../../storage/blob-stores/fs.js');
  const { openDatabase } = await import('../../../storage/open-database.js');
  const { migrate } = await import('../../../storage/migrate.js');
  const database = await openDatabase('pglite:memory');
  await migrate(database.db);
  const quotas = { storedBytes: 0, pendingBytes: 0, packagesPerDay: 0 };
  const app = await buildApp({
    db: database.db,
    blobs: await FsBlobStore.open(root),
    workers: 0,
    config: { quotas, maintenanceIntervalMs: 0, deviceRequestsPerMinute: 0 },
  });
  const token = `tdv_dev_fuzzer01_${SECRET}`;
  const hash = createHash('sha256').update(SECRET).digest('hex');
  await sql`INSERT INTO devices (id, hardware_id, name, platform, token_hash, enrolled_at)
            VALUES ('dev_fuzzer01', 'hw-fuzzer', 'fuzzer', '{}', ${hash}, now())`.execute(database.db);
  const report: ServerFuzzReport = { cases: 0, answers: {}, outcomes: {}, faults: [], writesOutside: [] };
  try {
    for (const c of hostilePackages(seed, from, to)) {
      const r = await app.http.inject({
        method: 'PUT',
        url: `/device/v1/packages/${c.packageId}`,
        payload: c.bytes,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/gzip',
          'x-content-sha256': createHash('sha256').update(c.bytes).digest('hex'),
        },
      });
      report.answers[r.statusCode] = (report.answers[r.statusCode] ?? 0) + 1;
      if (r.statusCode >= 500)
        report.faults.push(`case ${c.index} (${c.strategy}): upload answered ${r.statusCode} ${r.body.slice(0, 200)}`);
      report.cases++;
    }
    const worker = createWorker(app.ctx, 1, () => {});
    while (await worker.runOnce());
    await settle(database.db, report);
  } finally {
    await app.close();
    await database.close();
    report.writesOutside = watch.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return report;
}

async function settle(db: Db, report: ServerFuzzReport): Promise<void> {
  const packages = await db.selectFrom('packages').select(['package_id', 'status']).execute();
  for (const p of packages) {
    report.outcomes[p.status] = (report.outcomes[p.status] ?? 0) + 1;
    if (p.status !== 'ingested' && p.status !== 'failed') report.faults.push(`${p.package_id} left ${p.status}`);
  }
  const jobs = await db.selectFrom('jobs').select(['payload', 'status', 'attempts', 'last_error']).execute();
  for (const j of jobs) {
    const settled = j.status === 'done' || (j.status === 'dead' && j.attempts === 1);
    if (!settled)
      report.faults.push(
        `job of ${JSON.stringify(j.payload)}: ${j.status} after ${j.attempts} attempts: ${j.last_error ?? ''}`,
      );
  }
}
