/**
 * `npm run eval:adaptation [-- --json]`: on-device adaptation on the held-out-class scenario of
 * the committed Fashion-MNIST sample with the real model (models/fashion-mnv2, bag and ankle boot
 * never seen). Compares monitoring-only, autonomous, server-assisted with 5 / 10 / 20 validated
 * labels, and an oracle; writes docs/adaptation-benchmark.svg and prints a table. With `--json`
 * the last line is an array of `{mode, labels, newClassAccuracy, oldClassAccuracyDrop, rollbacks}`.
 * `--seed N` replays another draw of the same scenario (other images, other episode timing) to
 * see how much a figure depends on the draw; only the committed seed writes the plot.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMode, type ModeSpec, type RunResult } from './adaptation-run.js';
import { renderChart } from './adaptation-plot.js';
import { HELD_OUT_NAMES, STREAM, computeStream, type StreamFrame } from './adaptation-stream.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BLOCK = 25;

const MODES: ModeSpec[] = [
  { name: 'monitoring-only', mode: 'monitoring-only', labels: 0 },
  { name: 'autonomous', mode: 'autonomous', labels: 0 },
  { name: 'server-assisted 5', mode: 'server-assisted', labels: 5 },
  { name: 'server-assisted 10', mode: 'server-assisted', labels: 10 },
  { name: 'server-assisted 20', mode: 'server-assisted', labels: 20 },
  { name: 'oracle', mode: 'server-assisted', labels: 'all' },
];

/** Accuracy of `run` over the frames `pick` selects (NaN when it selects none). */
function accuracy(run: RunResult, frames: StreamFrame[], pick: (f: StreamFrame) => boolean): number {
  const sel = frames.filter(pick);
  return sel.filter((f) => run.predicted[f.index] === f.truth).length / sel.length;
}

const inWindow = (f: StreamFrame) => f.index >= STREAM.labelsAt && f.index < STREAM.labelsAt + STREAM.window;
const second = STREAM.episodes[1];
const afterDrift = (f: StreamFrame) => !f.heldOut && f.index >= STREAM.episodes[0].start;

function summarise(run: RunResult, frames: StreamFrame[], baselineOld: number) {
  const old = accuracy(run, frames, afterDrift);
  return {
    mode: run.spec.mode,
    name: run.spec.name,
    labels: run.spec.labels === 'all' ? run.labelsSent : run.spec.labels,
    newClassAccuracy: accuracy(run, frames, (f) => f.heldOut && inWindow(f)),
    perClass: Object.fromEntries(HELD_OUT_NAMES.map((c) => [c, accuracy(run, frames, (f) => f.truth === c && inWindow(f))])), // prettier-ignore
    recurrence: accuracy(run, frames, (f) => f.heldOut && f.index >= second.start && f.index < second.end),
    oldClassAccuracy: old,
    oldClassAccuracyDrop: 100 * (baselineOld - old),
    rollbacks: run.rollbacks,
    pseudoClasses: run.pseudoClasses,
    quarantined: run.quarantined,
    events: run.events,
  };
}

function curves(runs: RunResult[], frames: StreamFrame[], pick: (f: StreamFrame) => boolean) {
  const blocks = Math.ceil(frames.length / BLOCK);
  return runs.map((run) => ({
    name: run.spec.name,
    values: Array.from({ length: blocks }, (_, b) => {
      const a = accuracy(run, frames.slice(b * BLOCK, (b + 1) * BLOCK), pick);
      return Number.isNaN(a) ? null : a;
    }),
  }));
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const seedAt = process.argv.indexOf('--seed');
  const seed = seedAt > 0 ? Number(process.argv[seedAt + 1]) : STREAM.seed;
  if (!Number.isInteger(seed)) throw new Error(`--seed needs an integer, got ${process.argv[seedAt + 1]}`);
  const started = performance.now();
  const { bundle, frames } = await computeStream(path.join(ROOT, 'models/fashion-mnv2'), seed);
  const runs: RunResult[] = [];
  for (const spec of MODES) runs.push(await runMode(spec, bundle, frames));
  const baselineOld = accuracy(runs[0] as RunResult, frames, afterDrift);
  const rows = runs.map((r) => summarise(r, frames, baselineOld));
  const svg = renderChart(
    [
      { title: `New-class (bag, ankle boot) accuracy per ${BLOCK} frames; labels arrive at frame ${STREAM.labelsAt}`, series: curves(runs, frames, (f) => f.heldOut) }, // prettier-ignore
      { title: `Old-class (8 known classes) accuracy per ${BLOCK} frames`, series: curves(runs, frames, (f) => !f.heldOut) }, // prettier-ignore
    ],
    BLOCK,
    STREAM.episodes.map((e) => [e.start, e.end]),
  );
  if (seed === STREAM.seed) writeFileSync(path.join(ROOT, 'docs/adaptation-benchmark.svg'), svg);
  console.log(`# adaptation evaluation, stream seed ${seed}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${new Date().toISOString()}, ${((performance.now() - started) / 1000).toFixed(0)} s`); // prettier-ignore
  console.log(`| mode | labels | new-class acc. (frames ${STREAM.labelsAt}–${STREAM.labelsAt + STREAM.window - 1}) | bag | ankle boot | new-class acc. 2nd episode | old-class acc. | old-class drop (points) | rollbacks | heuristic groups: label→majority (members, purity) | quarantined |`); // prettier-ignore
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const pseudo = r.pseudoClasses.map((p) => `${p.label}→${p.majority} (${p.members}, ${pct(p.purity)})`).join('; ') || '–'; // prettier-ignore
    console.log(`| ${r.name} | ${r.labels} | ${pct(r.newClassAccuracy)} | ${pct(r.perClass['bag'] ?? 0)} | ${pct(r.perClass['ankle boot'] ?? 0)} | ${pct(r.recurrence)} | ${pct(r.oldClassAccuracy)} | ${r.oldClassAccuracyDrop.toFixed(1)} | ${r.rollbacks} | ${pseudo} | ${r.quarantined} |`); // prettier-ignore
  }
  if (json) {
    const out = rows.map((r) => ({ mode: r.mode, labels: r.labels, newClassAccuracy: r.newClassAccuracy, oldClassAccuracyDrop: r.oldClassAccuracyDrop, rollbacks: r.rollbacks })); // prettier-ignore
    console.log(JSON.stringify(out));
  }
}

await main();
