/**
 * `npm run bench:server [-- --json] [-- --db postgres|pglite] [-- --seconds N] [-- --skip-heartbeats]
 * [-- --no-record]`: load a real
 * `tinysphere serve` process from this process over loopback with undici, on PostgreSQL and on
 * PGlite. Heartbeats/s with p50/p99; 50 KB drift packages/s counted when ingested, upload p50/p99;
 * lost (accepted, never ingested) and duplicated (ingested more than once) after client retries.
 * PostgreSQL runs twice: ingestion in the API process (the default deployment) and in one separate
 * `tinysphere worker` process (`--worker-processes N` picks one). Packages are measured after a
 * warm-up of 300 that are uploaded and ingested but not counted.
 * Appends dated rows to docs/benchmarks.md unless `--no-record`. The heartbeat phase prints CPU per
 * heartbeat, the package phase CPU seconds per 1,000 packages, of the server, this process and
 * PostgreSQL: on a shared machine those, not requests/s, are the figures to compare.
 * `--heartbeats-only` skips the package phase, `--skip-heartbeats` the heartbeat phase (neither
 * records). `BENCH_SERVER_NODE_ARGS` are node options for the server process (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestPostgres } from '@tinymlops/testkit';
import pg from 'pg';
import { Pool } from 'undici';
import { openDatabase } from '../apps/tinysphere/src/storage/open-database.js';
import { buildPackage, driftDoc } from '../apps/tinysphere/src/testing/package-archive.js';
import { cpuMeter } from './process-cpu.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = path.join(ROOT, 'apps/tinysphere/bin/tinysphere.mjs');
const DEMO = 'bench-open-enrolment';
const args = process.argv.slice(2);
const json = args.includes('--json');
const only = args.includes('--db') ? args[args.indexOf('--db') + 1] : undefined;
const seconds = args.includes('--seconds') ? Number(args[args.indexOf('--seconds') + 1]) : 10;
const DEVICES = 200;
/** The machine may be shared; the load before the run says how much of it the benchmark had. */
const LOAD_AT_START = os.loadavg()[0]?.toFixed(1) ?? '?';
const HB_CONNECTIONS = 64;
const PKG_CONCURRENCY = 32;
const WORKERS = args.includes('--workers') ? Number(args[args.indexOf('--workers') + 1]) : 2;
/** `--heartbeats-only`: skip the package phase (for profiling the heartbeat path). */
const HEARTBEATS_ONLY = args.includes('--heartbeats-only');
/**
 * `--worker-processes N` (PostgreSQL only): the API process runs no ingestion, N `tinysphere worker`
 * processes do (DESIGN's scale-out; on 2 cores it puts uploads and ingestion on separate cores).
 */
const WORKER_PROCESSES: readonly number[] = args.includes('--worker-processes')
  ? [Number(args[args.indexOf('--worker-processes') + 1])]
  : [0, 1];
/**
 * Packages measured (the upload phase should last seconds, not one) after WARMUP_PACKAGES that are
 * uploaded and ingested first but not counted: a fresh server's JIT warm-up is not its throughput.
 */
const PACKAGES = Math.max(1200, Math.round(seconds * 300));
/** `--durable-postgres`: fsync and synchronous commit on, as PostgreSQL ships (the default cluster has them off). */
const DURABLE_PG = args.includes('--durable-postgres');
const WARMUP_PACKAGES = 300;
/** `--skip-heartbeats`: skip the heartbeat phase (for profiling ingestion). */
const SKIP_HEARTBEATS = args.includes('--skip-heartbeats');
const RECORD = !args.includes('--no-record') && !HEARTBEATS_ONLY && !SKIP_HEARTBEATS;
/** Node flags for the server process, e.g. `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`. */
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

interface Row {
  db: string;
  heartbeatsPerSec: number;
  heartbeatP50Ms: number;
  heartbeatP99Ms: number;
  packagesPerSec: number;
  packageP50Ms: number;
  packageP99Ms: number;
  lost: number;
  duplicated: number;
}

const log = (...m: unknown[]) => (json ? console.error(...m) : console.log(...m));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(1)) : 0;
};

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function startServer(storage: string[], port: number, workerProcesses: number): Promise<ChildProcess> {
  const c = spawn(
    process.execPath,
    [
      ...SERVER_NODE_ARGS,
      BIN,
      'serve',
      ...storage,
      '--port',
      String(port),
      '--demo-enrolment-token',
      DEMO,
      '--log-level',
      'warn',
      '--pool-size',
      '20',
      ...(workerProcesses > 0 ? ['--no-workers'] : ['--worker-concurrency', String(WORKERS)]),
    ],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  for (let i = 0; i < 300; i++) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

/** `tinysphere worker` processes sharing the server's database and blob store. */
function startWorkers(storage: string[], n: number): ChildProcess[] {
  return Array.from(
    { length: n },
    () =>
    spawn(process.execPath, [...SERVER_NODE_ARGS, BIN, 'worker', ...storage, '--concurrency', String(WORKERS), '--pool-size', '6'], { stdio: ['ignore', 'inherit', 'inherit'] }), // prettier-ignore
  );
}

async function enrol(pool: Pool, n: number) {
  const devices: { deviceId: string; token: string }[] = [];
  for (let i = 0; i < n; i++) {
    const r = await pool.request({
      path: '/device/v1/enrol',
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        schemaVersion: 1,
        enrolmentToken: DEMO,
        hardwareId: `bench-${i}-${randomBytes(3).toString('hex')}`,
        platform: { arch: os.arch(), os: 'linux', node: process.versions.node },
      }),
    });
    const b = (await r.body.json()) as { deviceId: string; deviceToken: string };
    devices.push({ deviceId: b.deviceId, token: b.deviceToken });
  }
  return devices;
}

async function heartbeats(
  pool: Pool,
  devices: { token: string }[],
): Promise<{ perSec: number; lat: number[]; failed: number }> {
  const body = JSON.stringify({
    schemaVersion: 1,
    sentAt: new Date().toISOString(),
    status: 'ok',
    mode: 'monitoring-only',
    model: { modelId: 'bench', version: '1.0.0' },
    stateVersion: 1,
    uptimeSeconds: 1,
    metrics: { framesProcessed: 60, driftActive: false, outboxBytes: 0, outboxPackages: 0, droppedPackages: 0 },
  });
  const lat: number[] = [];
  let ok = 0;
  let i = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const d = devices[i++ % devices.length]!;
      const t = performance.now();
      const r = await pool.request({
        path: '/device/v1/heartbeat',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${d.token}` },
        body,
      });
      await r.body.dump();
      lat.push(performance.now() - t);
      if (r.statusCode === 200) ok++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: HB_CONNECTIONS }, worker));
  return { perSec: Math.round(ok / ((performance.now() - t0) / 1000)), lat, failed: lat.length - ok };
}

/** Mean heartbeats per database statement, from the server's group-commit histogram. */
async function meanHeartbeatBatch(pool: Pool): Promise<string> {
  const r = await pool.request({ path: '/metrics', method: 'GET' });
  const text = await r.body.text();
  const sum = /tinysphere_heartbeat_batch_size_sum (\S+)/.exec(text)?.[1];
  const count = /tinysphere_heartbeat_batch_size_count (\S+)/.exec(text)?.[1];
  return sum && count ? (Number(sum) / Math.max(1, Number(count))).toFixed(1) : '?';
}

/**
 * Ingest jobs done so far: from the API process's /metrics, or — when separate worker processes
 * ingest (`dbUri` given) — from the jobs table.
 */
async function ingestedCount(pool: Pool, dbUri?: string): Promise<number> {
  if (dbUri) {
    const c = new pg.Client({ connectionString: dbUri });
    await c.connect();
    try {
      const r = await c.query("SELECT count(*)::int AS n FROM jobs WHERE kind = 'ingest-package' AND status = 'done'");
      return (r.rows[0] as { n: number }).n;
    } finally {
      await c.end();
    }
  }
  const r = await pool.request({ path: '/metrics', method: 'GET' });
  const text = await r.body.text();
  const m = /tinysphere_jobs_total\{kind="ingest-package",outcome="done"\} (\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

interface PreparedPackage {
  token: string;
  id: string;
  body: Buffer;
  sha: string;
}

async function preparePackages(
  devices: { deviceId: string; token: string }[],
  count: number,
  first = 0,
): Promise<PreparedPackage[]> {
  // ~50 KB drift packages: 12 samples with 4 KB (incompressible) images and 64-d features.
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

async function packages(pool: Pool, prepared: PreparedPackage[], jobsDb?: string) {
  const avgKb = prepared.reduce((s, p) => s + p.body.length, 0) / prepared.length / 1024;
  const before = await ingestedCount(pool, jobsDb);
  const lat: number[] = [];
  const accepted = new Set<string>();
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < prepared.length) {
      const p = prepared[next++]!;
      for (let attempt = 0; attempt < 5; attempt++) {
        const t = performance.now();
        try {
          const r = await pool.request({
            path: `/device/v1/packages/${p.id}`,
            method: 'PUT',
            headers: {
              'content-type': 'application/gzip',
              'x-content-sha256': p.sha,
              authorization: `Bearer ${p.token}`,
            },
            body: p.body,
          });
          await r.body.dump();
          lat.push(performance.now() - t);
          if (r.statusCode === 202 || r.statusCode === 200) {
            accepted.add(p.id);
            break;
          }
        } catch {
          // network error: the client retries the same id, as a device would
        }
      }
    }
  };
  await Promise.all(Array.from({ length: PKG_CONCURRENCY }, worker));
  const uploadSeconds = (performance.now() - t0) / 1000;
  let done = 0;
  const deadline = performance.now() + 300_000;
  while ((done = (await ingestedCount(pool, jobsDb)) - before) < accepted.size && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  const elapsed = (performance.now() - t0) / 1000;
  return { perSec: Math.round(done / elapsed), lat, accepted, avgKb, count: prepared.length, uploadSeconds, elapsed };
}

/**
 * Lost (accepted, never ingested) and duplicated (ingested more than once) packages, read from
 * the database itself once the server has stopped (the people API does not show ingest_count).
 */
async function audit(dbUri: string, accepted: Set<string>) {
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

async function benchOne(db: 'postgres' | 'pglite', workerProcesses: number): Promise<Row> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-server-'));
  let stopPg = async () => {};
  let pgPort = 0;
  let dbUri = `pglite:${dir}/db`;
  if (db === 'postgres') {
    const pgServer = await startTestPostgres({ durable: DURABLE_PG });
    if (!pgServer) throw new Error('no PostgreSQL available (set TEST_DATABASE_URL or install postgresql)');
    stopPg = () => pgServer.stop();
    const admin = new pg.Client({ connectionString: pgServer.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench');
    await admin.end();
    dbUri = pgServer.url.replace(/\/postgres$/, '/bench');
    pgPort = Number(new URL(pgServer.url).port);
  }
  const storage = ['--db', dbUri, '--blobs', `file:${dir}/blobs`];
  const port = await freePort();
  const server = await startServer(storage, port, workerProcesses);
  const workers = startWorkers(storage, workerProcesses);
  const serverPids = [server, ...workers].map((c) => c.pid ?? 0);
  const processes = workers.length ? `, ${workers.length} worker process${workers.length > 1 ? 'es' : ''}` : '';
  const label = `${db}${db === 'postgres' && DURABLE_PG ? ' (durable)' : ''}${processes}`;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: HB_CONNECTIONS, pipelining: 1 });
  let stopped: Promise<void> | undefined;
  const stopServer = () =>
    (stopped ??= (async () => {
      await pool.close();
      for (const c of [server, ...workers]) c.kill('SIGTERM');
      await Promise.all([server, ...workers].map((c) => c.exitCode !== null ? undefined : new Promise((r) => c.once('exit', r)))); // prettier-ignore
    })());
  try {
    log(`[${db}] enrolling ${DEVICES} devices…`);
    const devices = await enrol(pool, DEVICES);
    log(`[${db}] heartbeats for ${SKIP_HEARTBEATS ? 0 : seconds} s with ${HB_CONNECTIONS} connections…`);
    const hbCpu = cpuMeter(serverPids, pgPort);
    const hb = SKIP_HEARTBEATS ? { perSec: 0, lat: [], failed: 0 } : await heartbeats(pool, devices);
    log(
      `[${db}] ${hb.perSec} heartbeats/s, p50 ${pct(hb.lat, 50)} ms, p99 ${pct(hb.lat, 99)} ms, ${hb.failed} not 200`,
    );
    if (!SKIP_HEARTBEATS)
      log(
        `[${db}] CPU per heartbeat: ${hbCpu.perRequest(hb.lat.length)}; ${await meanHeartbeatBatch(pool)} heartbeats per statement (load average now ${os.loadavg()[0]?.toFixed(1)})`,
      );
    if (HEARTBEATS_ONLY)
      return {
        db: label,
        heartbeatsPerSec: hb.perSec,
        heartbeatP50Ms: pct(hb.lat, 50),
        heartbeatP99Ms: pct(hb.lat, 99),
        packagesPerSec: 0,
        packageP50Ms: 0,
        packageP99Ms: 0,
        lost: 0,
        duplicated: 0,
      };
    log(`[${db}] packages with ${PKG_CONCURRENCY} concurrent uploads…`);
    const jobsDb = workers.length ? dbUri : undefined;
    const warm = await packages(pool, await preparePackages(devices, WARMUP_PACKAGES, PACKAGES), jobsDb);
    const prepared = await preparePackages(devices, PACKAGES);
    const cpu = cpuMeter(serverPids, pgPort);
    const pk = await packages(pool, prepared, jobsDb);
    const used = cpu.used();
    await stopServer();
    const { lost, duplicated } = await audit(dbUri, new Set([...warm.accepted, ...pk.accepted]));
    const perK = (s: number) => ((s / Math.max(pk.accepted.size, 1)) * 1000).toFixed(2);
    log(
      `[${label}] ${pk.count} packages of ~${pk.avgKb.toFixed(0)} KB (after ${WARMUP_PACKAGES} warm-up): ${pk.perSec} ingested/s, upload p50 ${pct(pk.lat, 50)} ms, p99 ${pct(pk.lat, 99)} ms, lost ${lost}, duplicated ${duplicated}; uploads took ${pk.uploadSeconds.toFixed(1)} s of ${pk.elapsed.toFixed(1)} s`,
    );
    log(
      `[${db}] CPU s per 1,000 packages: server ${perK(used.server)}, postgres ${perK(used.postgres)}, load generator ${perK(used.self)}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    return {
      db: label,
      heartbeatsPerSec: hb.perSec,
      heartbeatP50Ms: pct(hb.lat, 50),
      heartbeatP99Ms: pct(hb.lat, 99),
      packagesPerSec: pk.perSec,
      packageP50Ms: pct(pk.lat, 50),
      packageP99Ms: pct(pk.lat, 99),
      lost,
      duplicated,
    };
  } finally {
    await stopServer();
    await stopPg();
    await rm(dir, { recursive: true, force: true });
  }
}

async function record(rows: Row[]): Promise<void> {
  const file = path.join(ROOT, 'docs/benchmarks.md');
  const exists = await readFile(file, 'utf8').then(
    () => true,
    () => false,
  );
  if (!exists)
    await writeFile(file, '# Benchmarks\n\nRows are appended by the benchmark scripts; each names its machine.\n');
  const machine = `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load average at start ${LOAD_AT_START}`;
  const header = `\n## bench:server — ${new Date().toISOString()} — ${machine}\n\n| db | heartbeats/s | hb p50 ms | hb p99 ms | packages/s (ingested) | upload p50 ms | upload p99 ms | lost | duplicated |\n|---|---|---|---|---|---|---|---|---|\n`;
  const lines = rows
    .map(
      (r) =>
        `| ${r.db} | ${r.heartbeatsPerSec} | ${r.heartbeatP50Ms} | ${r.heartbeatP99Ms} | ${r.packagesPerSec} | ${r.packageP50Ms} | ${r.packageP99Ms} | ${r.lost} | ${r.duplicated} |`,
    )
    .join('\n');
  await appendFile(file, header + lines + '\n');
}

const dbs = (['postgres', 'pglite'] as const).filter((d) => !only || d === only);
const rows: Row[] = [];
for (const d of dbs) for (const n of d === 'postgres' ? WORKER_PROCESSES : [0]) rows.push(await benchOne(d, n)); // PGlite: one process only
if (RECORD) await record(rows);
if (json)
  console.log(
    JSON.stringify(
      rows.map(({ db, heartbeatsPerSec, heartbeatP99Ms, packagesPerSec, packageP99Ms, lost, duplicated }) => ({
        db,
        heartbeatsPerSec,
        heartbeatP99Ms,
        packagesPerSec,
        packageP99Ms,
        lost,
        duplicated,
      })),
    ),
  );
