/**
 * `npm run bench:drift [-- --json]`: updates per second of every registered drift detector at its
 * defaults, on seeded stationary workloads of its input type. Appends a dated row set with the
 * machine to docs/benchmarks.md; with --json the last stdout line is `[{detector, updatesPerSec}]`.
 */
import os from 'node:os';
import { DRIFT_DETECTORS, Prng, createDetector, type DriftDetectorKind, type DriftInputType } from '@tinymlops/tinylcm';
import { appendBenchmarks } from './benchmarks-doc.js';

const GOALS: Partial<Record<DriftDetectorKind, number>> = {
  'page-hinkley': 5_000_000,
  cusum: 5_000_000,
  ddm: 5_000_000,
  eddm: 5_000_000,
  'ewma-chart': 5_000_000,
  adwin: 1_000_000,
};
// Per-update cost differs by orders of magnitude; size each run to take well under a second.
const UPDATES: Record<DriftInputType, number> = {
  number: 4_000_000,
  boolean: 4_000_000,
  class: 2_000_000,
  vector: 100_000,
  neighbours: 1_000_000,
  image: 50_000,
};
const SLOW: Partial<Record<DriftDetectorKind, number>> = { kswin: 300_000, mmd: 30_000 };
const POOL = 1 << 16;

function workload(type: DriftInputType): unknown[] {
  const rng = new Prng(2026);
  const make: Record<DriftInputType, () => unknown> = {
    number: () => rng.gaussian(),
    boolean: () => rng.next() < 0.1,
    class: () => rng.nextInt(10),
    vector: () => Float64Array.from({ length: 16 }, () => rng.gaussian()),
    neighbours: () => Array.from({ length: 5 }, () => (rng.next() < 0.9 ? 'a' : 'b')),
    // A 28 × 28 grey frame (the fashion-mnv2 input); larger frames are read on a ≤ 4096-pixel grid.
    image: () => ({
      data: Uint8Array.from({ length: 784 }, () => rng.nextInt(256)),
      width: 28,
      height: 28,
      channels: 1,
    }),
  };
  return Array.from({ length: POOL }, make[type]);
}

/** Best of three timed runs after a warm-up run, so JIT tiers and GC noise count least. */
function measure(kind: DriftDetectorKind, inputs: unknown[], updates: number): number {
  let best = 0;
  for (let round = 0; round < 4; round++) {
    const detector = createDetector(kind) as { update(x: unknown): unknown };
    const start = performance.now();
    for (let i = 0; i < updates; i++) detector.update(inputs[i & (POOL - 1)]);
    const seconds = (performance.now() - start) / 1000;
    if (round > 0) best = Math.max(best, updates / seconds);
  }
  return Math.round(best);
}

function machine(): string {
  return `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ${os.arch()}`;
}

function appendMarkdown(rows: { detector: string; updatesPerSec: number }[]): void {
  const lines = rows.map((r) => {
    const goal = GOALS[r.detector as DriftDetectorKind];
    const verdict =
      goal === undefined
        ? ''
        : r.updatesPerSec >= goal
          ? `≥ ${goal.toLocaleString('en')} ✓`
          : `≥ ${goal.toLocaleString('en')} ✗`;
    return `| ${r.detector} | ${r.updatesPerSec.toLocaleString('en')} | ${verdict} |`;
  });
  const header = `\n## Drift detector throughput — ${new Date().toISOString()}\n\n${machine()}. \`npm run bench:drift\`, defaults, best of 3; vectors have 16 components, neighbour lists 5.\n\n| detector | updates/s | goal |\n|---|---:|---|\n`;
  appendBenchmarks(header + lines.join('\n') + '\n');
}

const rows: { detector: string; updatesPerSec: number }[] = [];
for (const kind of Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[]) {
  const type = DRIFT_DETECTORS[kind].inputType;
  const updatesPerSec = measure(kind, workload(type), SLOW[kind] ?? UPDATES[type]);
  rows.push({ detector: kind, updatesPerSec });
  if (!process.argv.includes('--json'))
    console.log(`${kind.padEnd(24)} ${updatesPerSec.toLocaleString('en').padStart(14)} updates/s`);
}
appendMarkdown(rows);
if (process.argv.includes('--json')) console.log(JSON.stringify(rows));
