/**
 * `npm run bench:fleet [-- --devices 200] [-- --frames 60] [-- --fps 1] [-- --light-large 1000]
 * [-- --no-record] [-- --json]`: full and light fleet-sim devices against one real `tinysphere
 * serve` (PGlite) in the same run. Each fleet runs as its own process, whose RSS is sampled from
 * /proc every 250 ms; the rows give wall time (against the frames ÷ fps it should take), peak RSS,
 * devices per GB and packages acknowledged. Appends a dated table to docs/benchmarks.md unless
 * `--no-record`.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort } from '@tinymlops/testkit';
import { appendBenchmarks } from './benchmarks-doc.js';
import { DEMO_ENROLMENT_TOKEN } from './server-load-options.js';
import { startBenchDatabase, startServerProcesses } from './server-processes.js';

const FLEET = fileURLToPath(new URL('../apps/fleet-sim/bin/fleet-sim.mjs', import.meta.url));
const { values: o } = parseArgs({
  options: {
    devices: { type: 'string', default: '200' },
    frames: { type: 'string', default: '60' },
    fps: { type: 'string', default: '1' },
    'light-large': { type: 'string', default: '1000' },
    'no-record': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

interface Row {
  mode: string;
  devices: number;
  wallS: number;
  plannedS: number;
  peakRssMb: number;
  devicesPerGb: number;
  frames: number;
  acked: number;
}

const rssMb = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

/** Runs one fleet-sim process to the end; its peak RSS, wall time and summary. */
async function fleet(mode: string, full: number, light: number, serverUrl: string, dir: string): Promise<Row> {
  const frames = Number(o.frames);
  const args = [
    '--server',
    serverUrl,
    '--devices',
    String(full),
    '--light-devices',
    String(light),
    '--frames',
    o.frames!,
    '--fps',
    o.fps!,
    '--enrolment-token',
    DEMO_ENROLMENT_TOKEN,
    '--data-dir',
    path.join(dir, mode),
    '--json',
    '--no-progress',
    '--sync-interval',
    '5',
  ];
  const started = performance.now();
  const child = spawn(process.execPath, [FLEET, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, rssMb(child.pid ?? 0))), 250);
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  clearInterval(timer);
  if (code !== 0) throw new Error(`fleet-sim (${mode}) exited with ${code}`);
  const summary = JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as {
    total: { frames: number; packagesAcked: number };
  };
  const devices = full + light;
  const row = {
    mode,
    devices,
    wallS: Math.round((performance.now() - started) / 100) / 10,
    plannedS: frames / Number(o.fps),
    peakRssMb: Math.round(peak),
    devicesPerGb: Math.round((devices / peak) * 1024),
    frames: summary.total.frames,
    acked: summary.total.packagesAcked,
  };
  console.error(`[bench:fleet] ${JSON.stringify(row)}`);
  return row;
}

const load = os.loadavg()[0]?.toFixed(1);
const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-fleet-'));
const db = await startBenchDatabase('pglite', dir);
const port = await freePort();
// Enrolments of a whole fleet come from one address here: no per-address limit for the bench.
const server = await startServerProcesses(
  ['--db', db.uri, '--blobs', `file:${dir}/blobs`, '--enrolment-rate-limit', '0'],
  port,
  0,
);
const url = `http://127.0.0.1:${port}`;
const n = Number(o.devices);
const rows: Row[] = [];
try {
  rows.push(await fleet('full', n, 0, url, dir));
  rows.push(await fleet('light', 0, n, url, dir));
  if (Number(o['light-large']) > 0) rows.push(await fleet('light', 0, Number(o['light-large']), url, dir));
} finally {
  await server.stop();
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}
const [full, light] = rows;
const table = [
  '| mode | devices | wall s (planned) | peak RSS MB | devices per GB | frames | packages acked |',
  '|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.mode} | ${r.devices} | ${r.wallS} (${r.plannedS}) | ${r.peakRssMb} | ${r.devicesPerGb} | ${r.frames} | ${r.acked} |`,
  ),
].join('\n');
const ratio =
  full && light
    ? `light/full at ${n} devices: ${(light.devicesPerGb / full.devicesPerGb).toFixed(1)}× devices per GB, ${(full.wallS / light.wallS).toFixed(1)}× faster`
    : '';
console.log(`${table}\n${ratio}`);
if (o.json) console.log(JSON.stringify({ load, rows }));
if (!o['no-record'])
  appendBenchmarks(
    `\n## bench:fleet — ${new Date().toISOString()}\n\n${os.cpus().length} cores, ${os.cpus()[0]?.model ?? ''}, load average at start ${load}; fleet-sim --frames ${o.frames} --fps ${o.fps} against tinysphere serve (PGlite).\n\n${table}\n\n${ratio}\n`,
  );
