/**
 * The device side of `npm run bench:server`'s package phase: ~50 KB drift packages uploaded with
 * client retries, counted when ingested, and audited for lost and duplicated ones afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Pool } from 'undici';
import { openDatabase } from '../apps/tinysphere/src/storage/open-database.js';
import { buildPackage, driftDoc } from '../apps/tinysphere/src/testing/package-archive.js';
import type { BenchDevice } from './server-heartbeat-load.js';
import { PKG_CONCURRENCY } from './server-load-options.js';

/** A built package ready to upload. */
export interface PreparedPackage {
  token: string;
  id: string;
  body: Buffer;
  sha: string;
}

/**
 * Builds packages `first` … `first + count - 1`, round-robin over the devices: 12 drift samples
 * each, with 3.8 KB incompressible images and 64-d features (~48 KB gzipped).
 * @example
 * const warm = await preparePackages(devices, 300, 3000); // ids that do not meet the measured ones
 */
export async function preparePackages(
  devices: readonly BenchDevice[],
  count: number,
  first = 0,
): Promise<PreparedPackage[]> {
  const prepared: PreparedPackage[] = [];
  for (let k = first; k < first + count; k++) {
    const d = devices[k % devices.length]!;
    const id = `pkg_${d.deviceId}_${String(k).padStart(6, '0')}`;
    const { doc, images } = driftDoc(`ep_${k.toString(36).padStart(8, '0')}`, 12, {
      dim: 64,
      withImages: true,
      prefix: `s${k}`,
    });
    for (const key of Object.keys(images)) images[key] = randomBytes(3800);
    const body = await buildPackage({
      packageId: id,
      deviceId: d.deviceId,
      documents: { 'drift-events': doc },
      files: images,
    });
    prepared.push({ token: d.token, id, body, sha: createHash('sha256').update(body).digest('hex') });
  }
  return prepared;
}

/**
 * Uploads `prepared` from PKG_CONCURRENCY connections (a failed attempt is retried with the same
 * id, as a device would) and waits until as many ingest jobs completed as were accepted.
 * `jobsDb`: count completions in the jobs table (separate worker processes ingest); without it
 * the API process's /metrics counts them.
 * @example
 * const { perSec, lat, accepted } = await uploadPackages(pool, prepared);
 */
export async function uploadPackages(pool: Pool, prepared: readonly PreparedPackage[], jobsDb?: string) {
  const ingested = await ingestCounter(pool, jobsDb);
  try {
    const before = await ingested.count();
    const avgKb = prepared.reduce((s, p) => s + p.body.length, 0) / prepared.length / 1024;
    const lat: number[] = [];
    const accepted = new Set<string>();
    let next = 0;
    const t0 = performance.now();
    const worker = async () => {
      while (next < prepared.length) {
        const p = prepared[next++]!;
        if (await uploadWithRetries(pool, p, lat)) accepted.add(p.id);
      }
    };
    await Promise.all(Array.from({ length: PKG_CONCURRENCY }, worker));
    const uploadSeconds = (performance.now() - t0) / 1000;
    let done = 0;
    const deadline = performance.now() + 300_000;
    while ((done = (await ingested.count()) - before) < accepted.size && performance.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    const elapsed = (performance.now() - t0) / 1000;
    return { perSec: Math.round(done / elapsed), lat, accepted, avgKb, count: prepared.length, uploadSeconds, elapsed };
  } finally {
    await ingested.close();
  }
}

/** Up to 5 attempts; each answered attempt's latency goes into `lat`. True once accepted. */
async function uploadWithRetries(pool: Pool, p: PreparedPackage, lat: number[]): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const t = performance.now();
    try {
      const r = await pool.request({
        path: `/device/v1/packages/${p.id}`,
        method: 'PUT',
        headers: { 'content-type': 'application/gzip', 'x-content-sha256': p.sha, authorization: `Bearer ${p.token}` },
        body: p.body,
      });
      await r.body.dump();
      lat.push(performance.now() - t);
      if (r.statusCode === 202 || r.statusCode === 200) return true;
    } catch {
      // network error: the client retries the same id, as a device would
    }
  }
  return false;
}

/** Completed ingest jobs so far: the jobs table through one connection, or the API's /metrics. */
async function ingestCounter(pool: Pool, jobsDb?: string) {
  if (!jobsDb) {
    return {
      count: async () => {
        const text = await (await pool.request({ path: '/metrics', method: 'GET' })).body.text();
        const m = /tinysphere_jobs_total\{kind="ingest-package",outcome="done"\} (\d+)/.exec(text);
        return m ? Number(m[1]) : 0;
      },
      close: async () => {},
    };
  }
  const client = new pg.Client({ connectionString: jobsDb });
  await client.connect();
  return {
    count: async () => {
      const r = await client.query(
        "SELECT count(*)::int AS n FROM jobs WHERE kind = 'ingest-package' AND status = 'done'",
      );
      return (r.rows[0] as { n: number }).n;
    },
    close: () => client.end(),
  };
}

/**
 * Lost (accepted, never ingested) and duplicated (ingested more than once) packages, read from
 * the database itself once the server has stopped (the people API does not show ingest_count).
 * @example
 * const { lost, duplicated } = await auditPackages(dbUri, accepted);
 */
export async function auditPackages(dbUri: string, accepted: ReadonlySet<string>) {
  const d = await openDatabase(dbUri);
  try {
    const rows = await d.db.selectFrom('packages').select(['package_id', 'status', 'ingest_count']).execute();
    const ingested = new Map(rows.filter((r) => r.status === 'ingested').map((r) => [r.package_id, r.ingest_count]));
    const lost = [...accepted].filter((id) => !ingested.has(id)).length;
    const duplicated = [...ingested.values()].filter((n) => n > 1).length;
    return { lost, duplicated };
  } finally {
    await d.close();
  }
}
