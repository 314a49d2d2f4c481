/**
 * `npm run soak [-- --json] [-- --light-devices 1000] [-- --full-devices 3] [-- --aborts 200]
 * [-- --rounds 3] [-- --rss-ceiling 300] [-- --memory-log file.jsonl] [-- --no-record]`: a fault
 * soak on loopback, minutes long. fleet-sim runs ≥ 1,000 light devices and a few full ones
 * against a `tinysphere serve --no-workers` API and a `tinysphere worker` on a durable PostgreSQL
 * and s3rver. The soak SIGKILLs the API once (the fleet then reconnects all at once), and the
 * restarted API then lives through `--rounds` rounds of faults: the worker SIGKILLed, PostgreSQL
 * stopped as by a crash, S3 away for 20 s, uploads dropped mid-body and stalled. Then it stops the
 * fleet, waits for ingestion to settle and audits the database against every package the devices
 * saw acknowledged. The last line is one JSON object: devices, acked, lost, duplicated, faults,
 * fdsStart, fdsEnd, rssMbStart, rssMbEnd (the API before the first fault and after the last
 * round), the figures of every round, and the API's memory after forced GCs (see
 * soak/memory-verdict.ts for the checks). Exits 1 on any lost or duplicated package, a server
 * crash, descriptors left open (files and pipes not back within 10 %, more sockets than devices
 * + 64), or a failed memory check. Appends the result to
 * docs/benchmarks.md unless --no-record; SOAK_SNAPSHOT_DIR=dir also writes a heap snapshot at
 * each GC (compare two with soak/heap-diff.ts).
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { appendBenchmarks } from './benchmarks-doc.js';
import { apiMetric, figures, figuresText } from './soak/api-figures.js';
import { memoryAfterGc, memoryPeaks, type MemoryAfterGc } from './soak/api-memory.js';
import { memoryVerdict, type RoundFigures } from './soak/memory-verdict.js';
import { faultRound, killApi, type FaultPlan } from './soak/soak-faults.js';
import {
  MALLOC_ARENAS,
  serverMallocEnv,
  serverNodeFlags,
  sleep,
  SOAK_ENROLMENT_TOKEN,
  startSoakServices,
} from './soak/soak-services.js';

const FLEET = fileURLToPath(new URL('../apps/fleet-sim/bin/fleet-sim.mjs', import.meta.url));
const { values: o } = parseArgs({
  options: {
    'light-devices': { type: 'string', default: '1000' },
    'full-devices': { type: 'string', default: '3' },
    aborts: { type: 'string', default: '200' },
    'fault-spacing': { type: 'string', default: '20' },
    settle: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '3' },
    'rss-ceiling': { type: 'string', default: '300' },
    'memory-log': { type: 'string' },
    json: { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});
const started = Date.now();
const log = (msg: string) => console.error(`[soak ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${msg}`);
const spacing = Number(o['fault-spacing']) * 1000;
const gcText = (m: MemoryAfterGc) =>
  `${m.rssMb} MB RSS${m.rssTrimmedMb === null ? '' : ` (${m.rssTrimmedMb} after malloc_trim)`}, JS heap ${m.heapUsedMb} of ${m.heapTotalMb} MB, external ${m.externalMb} MB (array buffers ${m.arrayBuffersMb})`;

async function waitFor(what: string, check: () => Promise<boolean>, minutes: number): Promise<void> {
  const until = Date.now() + minutes * 60_000;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`soak: ${what} did not happen within ${minutes} minutes`);
    await sleep(2000);
  }
}

async function enrolFlakyClient(apiUrl: string): Promise<string> {
  const body = {
    schemaVersion: 1,
    enrolmentToken: SOAK_ENROLMENT_TOKEN,
    hardwareId: 'soak-flaky-client',
    platform: { arch: 'x64', os: 'linux', node: process.versions.node },
  };
  const r = await fetch(`${apiUrl}/device/v1/enrol`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return ((await r.json()) as { deviceToken: string }).deviceToken;
}

/** Every acknowledged package against the database: missing or not ingested is lost; ingested twice is duplicated. */
async function audit(db: pg.Pool, ackedFile: string) {
  const pairs = (await readFile(ackedFile, 'utf8')).split('\n').filter(Boolean);
  const unique = new Set(pairs);
  const rows = await db.query<{ k: string; status: string; ingest_count: number }>(
    "SELECT device_id || ' ' || package_id AS k, status, ingest_count FROM packages",
  );
  const byKey = new Map(rows.rows.map((r) => [r.k, r]));
  const lost = [...unique].filter((k) => byKey.get(k)?.status !== 'ingested');
  const twice = rows.rows.filter((r) => r.ingest_count > 1).length;
  return { acked: unique.size, lost, duplicated: twice + (pairs.length - unique.size), packages: rows.rows.length };
}

const dir = await mkdtemp(path.join(os.tmpdir(), 'tinysphere-soak-'));
const load = os.loadavg()[0]?.toFixed(1);
log(`starting PostgreSQL, s3rver, the API and a worker (load average ${load})`);
const s = await startSoakServices(dir);
const db = new pg.Pool({ connectionString: s.dbUrl, max: 2 });
db.on('error', () => {}); // PostgreSQL is restarted on purpose
const devices = Number(o['light-devices']) + Number(o['full-devices']);
const ackedFile = path.join(dir, 'acked.txt');
try {
  const flakyToken = await enrolFlakyClient(s.apiUrl);
  const fleetArgs = [
    '--server',
    s.apiUrl,
    '--devices',
    o['full-devices']!,
    '--light-devices',
    o['light-devices']!,
    '--frames',
    '10000000',
    '--fps',
    '1',
    '--sync-interval',
    '10',
    '--scenario',
    'mixed',
    '--data-dir',
    path.join(dir, 'fleet'),
    '--enrolment-token',
    SOAK_ENROLMENT_TOKEN,
    '--acked-file',
    ackedFile,
    '--json',
    '--no-progress',
  ];
  log(`starting fleet-sim: ${o['light-devices']} light devices and ${o['full-devices']} full ones`);
  const fleet = spawn(process.execPath, [FLEET, ...fleetArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
  let fleetOut = '';
  fleet.stdout.on('data', (d: Buffer) => (fleetOut = (fleetOut + d.toString()).slice(-1_000_000)));
  const fleetExit = new Promise<number | null>((r) => fleet.once('exit', r));
  await waitFor(
    'every device enrolling',
    async () => (await db.query<{ n: string }>('SELECT count(*) AS n FROM devices')).rows[0]!.n === String(devices + 1),
    20,
  );
  log('every device enrolled; warming up for 30 s');
  await sleep(30_000);
  const start = await figures(s.api.pid, s.apiUrl);
  const startGc = await memoryAfterGc(s.api.pid, s.memoryFile, { trim: true });
  log(`API before the faults: ${figuresText(start)}; after GC ${gcText(startGc)}`);
  const faults: Record<string, number> = {};
  const count = (k: string, n = 1) => (faults[k] = (faults[k] ?? 0) + n);
  const plan: FaultPlan = { spacingMs: spacing, aborts: Number(o.aborts), log };
  await killApi(s, count, plan);
  // From here on one API process (the one restarted after the SIGKILL) lives through every round.
  const afterRestart = await figures(s.api.pid, s.apiUrl);
  log(`API (restarted) after the reconnect rush: ${figuresText(afterRestart)}`);
  const rounds: RoundFigures[] = [];
  for (let round = 1; round <= Number(o.rounds); round++) {
    log(`fault round ${round} of ${o.rounds}`);
    await faultRound(s, flakyToken, count, plan);
    log(`round ${round} done; settling for ${o.settle} s with the fleet running`);
    await sleep(Number(o.settle) * 1000);
    const f = await figures(s.api.pid, s.apiUrl);
    const gc = await memoryAfterGc(s.api.pid, s.memoryFile, { trim: round === Number(o.rounds) });
    rounds.push({ round, ...f, gc });
    log(`API after round ${round}: ${figuresText(f)}; after GC ${gcText(gc)}`);
  }
  const end = rounds.at(-1)!;
  // Uploads answered 503 by the upload memory budget (the restarted API's count): the flaky
  // client's cut uploads above its device's share, and any fleet upload while the budget was full.
  const uploadsRefusedForMemory = await apiMetric(s.apiUrl, 'tinysphere_uploads_refused_memory_total');
  log('stopping the fleet (final sync)');
  fleet.kill('SIGTERM');
  if ((await fleetExit) !== 0) throw new Error('fleet-sim did not exit cleanly');
  await waitFor(
    'ingestion settling',
    async () =>
      (await db.query<{ n: string }>("SELECT count(*) AS n FROM jobs WHERE status IN ('queued', 'running')")).rows[0]!
        .n === '0',
    10,
  );
  const a = await audit(db, ackedFile);
  const summary = JSON.parse(fleetOut.trim().split('\n').at(-1) ?? '{}') as {
    total?: { packagesPending: number; packagesDropped: number; packagesRejected: number };
  };
  // Sockets follow how many devices hold a keep-alive connection; a leaked upload would keep a file
  // or pipe open, or a socket beyond one per device.
  const fdsBack = end.fileFds <= start.fileFds * 1.1 && end.fds - end.fileFds <= devices + 64;
  log(
    `descriptors ${fdsBack ? 'back' : 'NOT back'}: ${start.fileFds} → ${end.fileFds} not sockets (≤ +10 %), ${end.fds - end.fileFds} sockets for ${devices} devices`,
  );
  const memory = memoryVerdict(start, startGc, rounds, Number(o['rss-ceiling']));
  for (const c of memory.checks) log(`memory: ${c.ok ? 'ok' : c.informational ? 'over' : 'FAILED'}: ${c.check}`);
  const back = fdsBack && memory.ok;
  const result = {
    devices,
    acked: a.acked,
    lost: a.lost.length,
    duplicated: a.duplicated,
    faults: Object.values(faults).reduce((x, y) => x + y, 0),
    fdsStart: start.fds,
    fdsEnd: end.fds,
    rssMbStart: start.rssMb,
    rssMbEnd: end.rssMb,
    fileFdsStart: start.fileFds,
    fileFdsEnd: end.fileFds,
    heapUsedMbStart: start.heapUsedMb,
    heapUsedMbEnd: end.heapUsedMb,
    start,
    afterRestart,
    rounds,
    startAfterGc: startGc,
    memoryPeaks: memoryPeaks(s.memoryFile),
    faultsByKind: faults,
    uploadsRefusedForMemory,
    pendingOnDevices: summary.total?.packagesPending ?? null,
    droppedOnDevices: summary.total?.packagesDropped ?? null,
    rejectedOnDevices: summary.total?.packagesRejected ?? null,
    packagesOnServer: a.packages,
    serverCrashes: s.api.crashes + s.worker.crashes,
    minutes: Math.round((Date.now() - started) / 6000) / 10,
    loadAverageAtStart: Number(load),
    mallocArenaMax: MALLOC_ARENAS,
    nodeFlags: serverNodeFlags(),
    mallocEnv: serverMallocEnv(),
    memoryChecks: memory.checks,
  };
  for (const k of a.lost.slice(0, 20)) log(`LOST: ${k}`);
  if (!o['no-record'])
    appendBenchmarks(
      `\n## soak — ${new Date().toISOString()}\n\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average at start ${load} (the machine was shared). \`npm run soak\`: ${devices} devices (${o['full-devices']} full), API + worker on durable PostgreSQL and s3rver.\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\`\n`,
    );
  if (o['memory-log']) await copyFile(s.memoryFile, o['memory-log']);
  if (o.json) console.log(JSON.stringify(result));
  else console.log(JSON.stringify(result, null, 2));
  const clean = result.lost === 0 && result.duplicated === 0 && result.serverCrashes === 0;
  process.exitCode = clean && back ? 0 : 1;
} finally {
  await db.end().catch(() => {});
  await s.stop();
  await rm(dir, { recursive: true, force: true });
}
