/**
 * `npm run bench:device [-- --frames N] [--json] [--clock cpu|wall] [--models a,b] [--no-append]`: the device data
 * path (preprocess → inference → transform → KNN → drift → log) over N frames of the committed
 * Fashion-MNIST sample, on the project's model and — when `../shared/reference-artifacts` (or
 * `$TINYMLOPS_SHARED`) is present — on the prototype's 224² MobileNetV2 with its feature processor
 * and KNN state. Each model runs four times, each in a fresh child process (so peak RSS is per
 * model): compiled JS with default V8 flags, `--liftoff-only` (the setting for 512 MB boards) and
 * `--liftoff-only --max-semi-space-size=1`, and under tsx with `--liftoff-only`.
 * Prints a table; `--json` prints one JSON array as the last line. Appends to docs/benchmarks.md
 * unless `--no-append`.
 */
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedDir } from '../packages/tinylcm/src/internal/test-paths.js';
import { appendBenchmarks } from './benchmarks-doc.js';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const frames = Number(arg('--frames') ?? 500);
const clock = arg('--clock') === 'wall' ? 'wall' : 'cpu';
if (!Number.isInteger(frames) || frames < 1) throw new Error(`--frames must be an integer ≥ 1, got ${arg('--frames')}`);

export interface DeviceBenchRow {
  model: string;
  runner: 'js' | 'tsx';
  nodeFlags: string;
  frames: number;
  clock: string;
  stages: Record<string, { median: number; p95: number }>;
  inferenceMsMedian: number;
  overheadRatio: number;
  overheadRatioMean: number;
  knnPredictUsMedian: number;
  transformMsMedian: number;
  cpuMsPerFrame: number;
  framesPerSecond: number;
  baselineRssMb: number;
  loadedRssMb: number;
  peakRssMb: number;
  loadAverage1m: number;
}

/**
 * Compiles the child to one ES module (our TypeScript bundled, npm packages left external): the
 * `js` runner. Under tsx, Node 20 runs the module loader hooks on a second thread with its own V8
 * isolate, ~44 MB of RSS that a device running compiled JavaScript does not pay.
 */
async function compileChild(): Promise<string> {
  const outfile = path.join(REPO, 'node_modules/.cache/tinymlops-bench/device-pipeline-run.mjs');
  await build({
    entryPoints: [path.join(REPO, 'bench/device-pipeline-run.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'external-npm-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@tinymlops/') ? undefined : { external: true }));
        },
      },
    ],
  });
  return outfile;
}

interface Variant {
  runner: 'js' | 'tsx';
  flags: string[];
}

function runChild(model: string, v: Variant, compiled: string, shared: string | undefined): DeviceBenchRow {
  const entry = v.runner === 'js' ? [compiled] : ['--import', 'tsx', path.join(REPO, 'bench/device-pipeline-run.ts')];
  const args = [
    ...v.flags,
    ...entry,
    ...['--model', model, '--frames', String(frames), '--clock', clock, '--repo', REPO],
    ...(shared ? ['--shared', shared] : []),
  ];
  // LiteRT prints INFO/WARNING lines on stderr; only the child's last stdout line is the result.
  const out = execFileSync(process.execPath, args, {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const last = out.trim().split('\n').at(-1) ?? '';
  return { ...(JSON.parse(last) as DeviceBenchRow), loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)) };
}

const shared = sharedDir();
const only = arg('--models')?.split(',');
const models = ['fashion-mnv2', ...(shared ? ['poc-object'] : [])].filter((m) => !only || only.includes(m));
/**
 * Compiled JS with default V8 flags, with --liftoff-only (512 MB boards; no TurboFan copy of the
 * WASM code), and with a 1 MB young-generation semi-space on top (per-frame garbage then stays
 * small instead of growing the young generation towards 16 MB semi-spaces); tsx for comparison.
 */
const VARIANTS: Variant[] = [
  { runner: 'js', flags: [] },
  { runner: 'js', flags: ['--liftoff-only'] },
  { runner: 'js', flags: ['--liftoff-only', '--max-semi-space-size=1'] },
  { runner: 'tsx', flags: ['--liftoff-only'] },
];
const compiled = await compileChild();
const rows: DeviceBenchRow[] = [];
for (const model of models) for (const v of VARIANTS) rows.push(runChild(model, v, compiled, shared));

const cpu = os.cpus();
const machine = `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${os.arch()}`;
const load = os
  .loadavg()
  .map((x) => x.toFixed(2))
  .join(' / ');
const goal = (ok: boolean) => (ok ? '✓' : '✗');
const fmt = (s: { median: number; p95: number } | undefined) =>
  s ? `${s.median.toFixed(3)} / ${s.p95.toFixed(3)}` : '–';
const STAGES = ['preprocess', 'inference', 'transform', 'classify', 'drift', 'log'];

const table = [
  `| model | runner, node flags | ${STAGES.join(' | ')} | overhead (median / mean) | KNN µs | transform ms | peak RSS MB |`,
  `|---|---|${STAGES.map(() => '---:').join('|')}|---:|---:|---:|---:|`,
  ...rows.map((r) =>
    [
      '',
      r.model,
      `${r.runner}${r.nodeFlags ? `, ${r.nodeFlags}` : ''}`,
      ...STAGES.map((s) => fmt(r.stages[s])),
      `${(r.overheadRatio * 100).toFixed(1)} % / ${(r.overheadRatioMean * 100).toFixed(1)} % ${goal(r.overheadRatio <= 0.02)}`,
      `${r.knnPredictUsMedian} ${goal(r.knnPredictUsMedian <= 50)}`,
      `${r.transformMsMedian} ${goal(r.transformMsMedian <= 0.5)}`,
      `${r.peakRssMb}${r.model.startsWith('poc-object') ? ` ${goal(r.peakRssMb <= 120)}` : ''}`,
      '',
    ]
      .join(' | ')
      .trim(),
  ),
].join('\n');

const header = `${machine}; load average ${load} (1 / 5 / 15 min). \`npm run bench:device -- --frames ${frames}\`, ${clock === 'cpu' ? 'stage times in process CPU time' : 'stage times in wall time'}, ms median / p95 per frame after 10 warm-up frames; each row a fresh process.`;
console.log(`${header}\n\n${table}\n`);
console.log(
  'Goals: overhead ≤ 2 % of inference; KNN predict ≤ 50 µs; transform ≤ 0.5 ms; peak RSS ≤ 120 MB (224² model).',
);
for (const r of rows)
  console.log(`${r.model} ${r.runner} ${r.nodeFlags || 'default'}: RSS ${r.baselineRssMb} MB after imports, ${r.loadedRssMb} MB after load, peak ${r.peakRssMb} MB; ${r.cpuMsPerFrame} ms CPU/frame; ${r.framesPerSecond} frames/s wall`); // prettier-ignore

if (!argv.includes('--no-append')) {
  const section = `\n## Device pipeline — ${new Date().toISOString()}\n\n${header}\n\n${table}\n\nRSS (MB) after imports / after model load / peak: ${rows.map((r) => `${r.model} ${r.runner} ${r.nodeFlags || 'default'} ${r.baselineRssMb} / ${r.loadedRssMb} / ${r.peakRssMb}`).join('; ')}.\n`; // prettier-ignore
  appendBenchmarks(section);
}
if (argv.includes('--json')) console.log(JSON.stringify(rows));
