/**
 * `npm run bench:server [-- --json] [-- --db postgres|pglite] [-- --seconds N] [-- --workers N]
 * [-- --worker-processes N] [-- --durable-postgres] [-- --heartbeats-only] [-- --skip-heartbeats]
 * [-- --no-record]`: load a real `tinysphere serve` process from this process over loopback with
 * undici, on PostgreSQL and on PGlite. Heartbeats/s with p50/p99; 50 KB drift packages/s counted
 * when ingested, upload p50/p99; lost (accepted, never ingested) and duplicated (ingested more
 * than once) after client retries. PostgreSQL runs twice: ingestion in the API process (the
 * default deployment) and in one separate `tinysphere worker` process (`--worker-processes N`
 * picks one). Packages are measured after a warm-up of 300 that are uploaded and ingested but not
 * counted. Appends dated rows to docs/benchmarks.md unless `--no-record`. The heartbeat phase
 * prints CPU per heartbeat, the package phase CPU seconds per 1,000 packages, of the server, this
 * process and PostgreSQL: on a shared machine those, not requests/s, are the figures to compare.
 * `--heartbeats-only` skips the package phase, `--skip-heartbeats` the heartbeat phase (neither
 * records). `BENCH_SERVER_NODE_ARGS` are node options for the server processes (e.g. `--cpu-prof
 * --cpu-prof-dir=/tmp/prof`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@tinymlops/testkit';
import { Pool } from 'undici';
import { appendBenchmarks } from './benchmarks-doc.js';
import { cpuMeter } from './process-cpu.js';
import { enrol, heartbeats, meanHeartbeatBatch, type BenchDevice } from './server-heartbeat-load.js';
import { DEVICES, HB_CONNECTIONS, OPTIONS, PKG_CONCURRENCY, log, percentile } from './server-load-options.js';
import { auditPackages, preparePackages, uploadPackages } from './server-package-load.js';
import { startBenchDatabase, startServerProcesses } from './server-processes.js';

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

type Servers = Awaited<ReturnType<typeof startServerProcesses>>;

async function benchOne(db: 'postgres' | 'pglite', workerProcesses: number): Promise<Row> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-server-'));
  const database = await startBenchDatabase(db, dir);
  const port = await freePort();
  const servers = await startServerProcesses(
    ['--db', database.uri, '--blobs', `file:${dir}/blobs`],
    port,
    workerProcesses,
  );
  const processes = workerProcesses ? `, ${workerProcesses} worker process${workerProcesses > 1 ? 'es' : ''}` : '';
  const label = `${db}${db === 'postgres' && OPTIONS.durablePostgres ? ' (durable)' : ''}${processes}`;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: HB_CONNECTIONS, pipelining: 1 });
  let stopped: Promise<void> | undefined;
  // The audit reads the database once the servers are gone; the pool closes first.
  const stopServers = () => (stopped ??= pool.close().then(() => servers.stop()));
  try {
    log(`[${db}] enrolling ${DEVICES} devices…`);
    const devices = await enrol(pool, DEVICES);
    const hb = await heartbeatPhase(db, pool, devices, servers, database.pgPort);
    const empty = { packagesPerSec: 0, packageP50Ms: 0, packageP99Ms: 0, lost: 0, duplicated: 0 };
    const pk = OPTIONS.heartbeatsOnly
      ? empty
      : await packagePhase(label, pool, devices, { ...servers, stop: stopServers }, database);
    return { db: label, ...hb, ...pk };
  } finally {
    await stopServers();
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function heartbeatPhase(db: string, pool: Pool, devices: BenchDevice[], servers: Servers, pgPort: number) {
  log(`[${db}] heartbeats for ${OPTIONS.skipHeartbeats ? 0 : OPTIONS.seconds} s with ${HB_CONNECTIONS} connections…`);
  const cpu = cpuMeter(servers.pids, pgPort);
  const hb = OPTIONS.skipHeartbeats ? { perSec: 0, lat: [], failed: 0 } : await heartbeats(pool, devices);
  const [p50, p99] = [percentile(hb.lat, 50), percentile(hb.lat, 99)];
  log(`[${db}] ${hb.perSec} heartbeats/s, p50 ${p50} ms, p99 ${p99} ms, ${hb.failed} not 200`);
  if (!OPTIONS.skipHeartbeats)
    log(
      `[${db}] CPU per heartbeat: ${cpu.perRequest(hb.lat.length)}; ${await meanHeartbeatBatch(pool)} heartbeats per statement (load average now ${os.loadavg()[0]?.toFixed(1)})`,
    );
  return { heartbeatsPerSec: hb.perSec, heartbeatP50Ms: p50, heartbeatP99Ms: p99 };
}

async function packagePhase(
  label: string,
  pool: Pool,
  devices: BenchDevice[],
  servers: Servers,
  database: Awaited<ReturnType<typeof startBenchDatabase>>,
) {
  log(`[${label}] packages with ${PKG_CONCURRENCY} concurrent uploads…`);
  const jobsDb = servers.workerProcesses ? database.uri : undefined;
  const warm = await uploadPackages(
    pool,
    await preparePackages(devices, OPTIONS.warmupPackages, OPTIONS.packages),
    jobsDb,
  );
  const prepared = await preparePackages(devices, OPTIONS.packages);
  const cpu = cpuMeter(servers.pids, database.pgPort);
  const pk = await uploadPackages(pool, prepared, jobsDb);
  const used = cpu.used();
  await servers.stop();
  const { lost, duplicated } = await auditPackages(database.uri, new Set([...warm.accepted, ...pk.accepted]));
  const [p50, p99] = [percentile(pk.lat, 50), percentile(pk.lat, 99)];
  const perK = (s: number) => ((s / Math.max(pk.accepted.size, 1)) * 1000).toFixed(2);
  log(
    `[${label}] ${pk.count} packages of ~${pk.avgKb.toFixed(0)} KB (after ${OPTIONS.warmupPackages} warm-up): ${pk.perSec} ingested/s, upload p50 ${p50} ms, p99 ${p99} ms, lost ${lost}, duplicated ${duplicated}; uploads took ${pk.uploadSeconds.toFixed(1)} s of ${pk.elapsed.toFixed(1)} s`,
  );
  log(
    `[${label}] CPU s per 1,000 packages: server ${perK(used.server)}, postgres ${perK(used.postgres)}, load generator ${perK(used.self)}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  return { packagesPerSec: pk.perSec, packageP50Ms: p50, packageP99Ms: p99, lost, duplicated };
}

function record(rows: Row[]): void {
  const machine = `${os.cpus().length}× ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, load average at start ${OPTIONS.loadAtStart}`;
  const header = `\n## bench:server — ${new Date().toISOString()} — ${machine}\n\n| db | heartbeats/s | hb p50 ms | hb p99 ms | packages/s (ingested) | upload p50 ms | upload p99 ms | lost | duplicated |\n|---|---|---|---|---|---|---|---|---|\n`;
  const lines = rows.map(
    (r) =>
      `| ${r.db} | ${r.heartbeatsPerSec} | ${r.heartbeatP50Ms} | ${r.heartbeatP99Ms} | ${r.packagesPerSec} | ${r.packageP50Ms} | ${r.packageP99Ms} | ${r.lost} | ${r.duplicated} |`,
  );
  appendBenchmarks(header + lines.join('\n') + '\n');
}

const dbs = (['postgres', 'pglite'] as const).filter((d) => !OPTIONS.only || d === OPTIONS.only);
const rows: Row[] = [];
// PGlite is one process only: no worker-process deployment.
for (const d of dbs) for (const n of d === 'postgres' ? OPTIONS.workerProcesses : [0]) rows.push(await benchOne(d, n));
if (OPTIONS.record) record(rows);
if (OPTIONS.json) {
  const keep = ({ db, heartbeatsPerSec, heartbeatP99Ms, packagesPerSec, packageP99Ms, lost, duplicated }: Row) => ({
    db,
    heartbeatsPerSec,
    heartbeatP99Ms,
    packagesPerSec,
    packageP99Ms,
    lost,
    duplicated,
  });
  console.log(JSON.stringify(rows.map(keep)));
}
