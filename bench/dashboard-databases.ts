/**
 * The two databases the dashboard benchmarks run on, opened the same way by `dashboard-load.ts`
 * and `dashboard-trace.ts`, and what a PostgreSQL cluster does on its own while a page is timed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { createTestDatabase } from '../packages/testkit/src/index.js';
import { migrate } from '../apps/tinysphere/src/storage/migrate.js';
import { openDatabase, type OpenDatabase } from '../apps/tinysphere/src/storage/open-database.js';
import type { Db } from '../apps/tinysphere/src/storage/database.js';

/** An in-memory PGlite database, migrated. */
export async function openPglite(): Promise<OpenDatabase> {
  const d = await openDatabase('pglite:memory');
  await migrate(d.db);
  return d;
}

/** A fresh database on the PostgreSQL server at `serverUrl`, migrated; closing it drops it. */
export async function openPostgres(serverUrl: string): Promise<OpenDatabase> {
  const t = await createTestDatabase(serverUrl);
  const d = await openDatabase(t.url);
  await migrate(d.db);
  return { ...d, close: async () => (await d.close(), await t.drop()) };
}

/**
 * Settles a freshly bulk-loaded PostgreSQL database as a running one is: vacuumed (visibility map
 * set, so index-only scans need not visit the heap; autovacuum has nothing left to start on the
 * 100,000 new rows while a page is timed) and checkpointed (the load's dirty pages written out now,
 * not by the checkpointer during a visit). PGlite has no background workers: a no-op there.
 */
export async function settleAfterBulkLoad(db: Db, kind: 'pglite' | 'postgres'): Promise<void> {
  if (kind !== 'postgres') return;
  await sql`VACUUM ANALYZE`.execute(db);
  await sql`CHECKPOINT`.execute(db);
}

/** CPU seconds used so far by the PostgreSQL server listening on `port` and its backends (Linux /proc). */
export function clusterCpuSeconds(port: number): number {
  const ps = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' }).split('\n');
  const rows = ps.map((l) => l.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/)).filter((m) => m !== null);
  const postmaster = rows.find((m) => /postgres -D/.test(m[3] ?? '') && m[3]?.includes(`-p ${port}`))?.[1];
  if (!postmaster) return NaN;
  const pids = [postmaster, ...rows.filter((m) => m[2] === postmaster).map((m) => m[1])];
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) / tick; // utime + stime
    } catch {
      // a backend that exited between ps and the read
    }
  }
  return total;
}
