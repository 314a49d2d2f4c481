/**
 * `npm run eval:adaptation [-- --json] [-- --seed N] [-- --seeds 1,2,3,4]`: on-device adaptation on
 * the held-out-class scenario of the committed Fashion-MNIST sample with the real model
 * (models/fashion-mnv2, bag and ankle boot never seen). Rows: monitoring-only, autonomous,
 * server-assisted with 5 / 10 / 20 validated labels and an oracle, all validated at once; then
 * server-assisted with 10 labels validated an hour and a day after the episode and across a device
 * restart (each also replayed as an old v1 device, side by side); and the fleet row (device B,
 * which never saw the classes, after device A's labels are shared, and its ceiling with every
 * new-class frame of A's episode shared). Writes
 * docs/adaptation-benchmark.svg (committed seed only) and prints a table. With `--json` the last
 * line is an array of `{mode, labels, newClassAccuracy, oldClassAccuracyDrop, rollbacks,
 * validationDelay, device, seed}`. `--seeds` adds the 10-label rows and the fleet row on other
 * draws of the scenario. `--bundle DIR` evaluates another build of the bundle (e.g. another KNN
 * state from `examples/model-training/dense_knn_state.py`); it leaves the committed plot alone.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedBundle } from '../packages/tinylcm/src/index.js';
import { runFleet } from './adaptation-fleet.js';
import { renderChart } from './adaptation-plot.js';
import { runMode, type ModeSpec, type RunResult, type ValidationDelay } from './adaptation-run.js';
import { accuracy, fleetRow, reporterRow, type EvalRow } from './adaptation-rows.js';
import { computeStream, STREAM, type StreamFrame } from './adaptation-stream.js';
import { printFleet, printRows, printSeeds } from './adaptation-tables.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_BUNDLE = path.join(ROOT, 'models/fashion-mnv2');
const BLOCK = 25;
/** B's draw of the scenario: another seed, so it sees other images than A. */
const FLEET_SEED_OFFSET = 1000;

const MODES: ModeSpec[] = [
  { name: 'monitoring-only', mode: 'monitoring-only', labels: 0 },
  { name: 'autonomous', mode: 'autonomous', labels: 0 },
  { name: 'server-assisted 5', mode: 'server-assisted', labels: 5 },
  { name: 'server-assisted 10', mode: 'server-assisted', labels: 10 },
  { name: 'server-assisted 20', mode: 'server-assisted', labels: 20 },
  { name: 'oracle', mode: 'server-assisted', labels: 'all' },
];
const DELAYS: ValidationDelay[] = ['1h', '1d', 'restart'];

/** The rows of one seed: the delay-0 modes (with `all`), the 10-label delays with their v1 replays, the fleet row. */
async function evaluate(bundle: LoadedBundle, seed: number, all: boolean) {
  const { frames } = await computeStream(bundleDir, seed);
  const specs = all ? MODES : MODES.filter((m) => m.name === 'monitoring-only' || m.name === 'server-assisted 10');
  const runs: RunResult[] = [];
  for (const spec of specs) runs.push(await runMode(spec, bundle, frames));
  for (const delay of DELAYS) {
    const spec = { name: `server-assisted 10, ${delay}`, mode: 'server-assisted' as const, labels: 10, delay };
    runs.push(await runMode(spec, bundle, frames));
    runs.push(await runMode({ ...spec, name: `${spec.name} (v1)`, v1: true }, bundle, frames));
  }
  const baseline = (runs[0] as RunResult).predicted;
  const rows = runs.map((r) => reporterRow(r, frames, baseline, seed));
  const b = (await computeStream(bundleDir, seed + FLEET_SEED_OFFSET)).frames;
  const fleet = await runFleet(bundle, frames, b, 10);
  return { frames, runs, rows, fleet: fleetRow(fleet, b, seed) };
}

const bundleDir = path.resolve(argValue('--bundle') ?? DEFAULT_BUNDLE);

function chart(runs: RunResult[], frames: StreamFrame[]): string {
  const curves = (pick: (f: StreamFrame) => boolean) =>
    runs.map((run) => ({
      name: run.spec.name,
      values: Array.from({ length: Math.ceil(frames.length / BLOCK) }, (_, b) => {
        const a = accuracy(run.predicted, frames.slice(b * BLOCK, (b + 1) * BLOCK), pick);
        return Number.isNaN(a) ? null : a;
      }),
    }));
  const newTitle = `New-class (bag, ankle boot) accuracy per ${BLOCK} frames; labels arrive at frame ${STREAM.labelsAt}`;
  const oldTitle = `Old-class (8 known classes) accuracy per ${BLOCK} frames`;
  const panels = [
    { title: newTitle, series: curves((f) => f.heldOut) },
    { title: oldTitle, series: curves((f) => !f.heldOut) },
  ];
  return renderChart(
    panels,
    BLOCK,
    STREAM.episodes.map((e) => [e.start, e.end]),
  );
}

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
}

async function main(): Promise<void> {
  const seed = Number(argValue('--seed') ?? STREAM.seed);
  const others = (argValue('--seeds') ?? '').split(',').filter(Boolean).map(Number);
  if (![seed, ...others].every(Number.isInteger))
    throw new Error('--seed and --seeds take integers, e.g. --seeds 1,2,3,4');
  const started = performance.now();
  const { loadBundle } = await import('../packages/tinylcm/src/index.js');
  const bundle = await loadBundle(bundleDir);
  const main = await evaluate(bundle, seed, true);
  const svg = chart(main.runs.slice(0, MODES.length), main.frames);
  if (seed === STREAM.seed && bundleDir === DEFAULT_BUNDLE)
    writeFileSync(path.join(ROOT, 'docs/adaptation-benchmark.svg'), svg);
  const extra: { seed: number; rows: EvalRow[]; fleet: EvalRow }[] = [];
  for (const s of others) {
    const r = await evaluate(bundle, s, false);
    extra.push({ seed: s, rows: r.rows, fleet: r.fleet });
  }
  const cpu = `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`;
  const took = ((performance.now() - started) / 1000).toFixed(0);
  const load = os.loadavg()[0]?.toFixed(1);
  console.log(
    `# adaptation evaluation, ${path.relative(ROOT, bundleDir)}, stream seed ${seed}: ${cpu}, ${new Date().toISOString()}, ${took} s, load ${load}`,
  );
  printRows(main.rows);
  printFleet(main.fleet);
  if (extra.length) printSeeds([{ seed, rows: main.rows, fleet: main.fleet }, ...extra]);
  if (process.argv.includes('--json')) {
    const all = [...main.rows, main.fleet, ...extra.flatMap((e) => [...e.rows, e.fleet])].filter((r) => !r.v1);
    console.log(JSON.stringify(all.map(({ v1: _v1, name: _n, details: _d, ...row }) => row)));
  }
}

await main();
