/**
 * `npm run eval:drift [-- --json] [-- --streams <dir>]`: every registered detector (at defaults, plus
 * a few documented settings) on every stream of its input type; metrics from `evaluateStream`.
 * Real streams: each `*.json` file `{name, inputType, values, driftPoints, deltaMax?}` in
 * `bench/streams/` (or --streams <dir>) is appended to the synthetic ones. Writes
 * docs/drift-benchmark.md; with --json the last stdout line is the result array.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DRIFT_DETECTORS,
  createDetector,
  evaluateStream,
  type DriftDetector,
  type DriftDetectorKind,
  type DriftStream,
  type StreamEvaluation,
} from '@tinymlops/tinylcm';
import { syntheticStreams } from './drift-streams.js';
import { renderReport } from './drift-report.js';

/** A detector configuration under evaluation. */
export interface Candidate {
  readonly name: string;
  readonly kind: DriftDetectorKind;
  readonly create: () => DriftDetector<unknown>;
}

/** One row of the result: the JSON shape of the issue plus the fields the report needs. */
export interface EvaluationRow extends StreamEvaluation {
  readonly detector: string;
  readonly stream: string;
  readonly inputType: string;
}

/** Feeds f(x) to a number detector: how a mean detector is pointed at spread (|x − μ|). */
function mapped(kind: DriftDetectorKind, f: (x: number) => number): () => DriftDetector<unknown> {
  return () => {
    const inner = createDetector(kind) as DriftDetector<number>;
    const outer: DriftDetector<unknown> = {
      kind: inner.kind,
      get driftDetected() {
        return inner.driftDetected;
      },
      get ignoredCount() {
        return inner.ignoredCount;
      },
      get statistic() {
        return inner.statistic;
      },
      update(x: unknown) {
        inner.update(f(x as number));
        return outer;
      },
      reset: () => inner.reset(),
      snapshot: () => inner.snapshot(),
    };
    return outer;
  };
}

const candidates: Candidate[] = [
  ...(Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[]).map((kind) => ({
    name: kind,
    kind,
    create: () => createDetector(kind) as DriftDetector<unknown>,
  })),
  {
    name: 'page-hinkley (delta 0.5, threshold 15)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 0.5, threshold: 15 }),
  },
  { name: 'kswin (alpha 0.0001)', kind: 'kswin', create: () => createDetector('kswin', { alpha: 0.0001 }) },
  // The variance streams have mean 0, so |x| is |x − μ|; on a device subtract the reference mean.
  { name: 'adwin on abs(x)', kind: 'adwin', create: mapped('adwin', Math.abs) },
  { name: 'eddm (beta 0.8)', kind: 'eddm', create: () => createDetector('eddm', { alpha: 0.85, beta: 0.8 }) },
];

function realStreams(): DriftStream[] {
  const flag = process.argv.indexOf('--streams');
  const dir = flag > 0 ? process.argv[flag + 1]! : fileURLToPath(new URL('./streams/', import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DriftStream);
}

const streams = [...syntheticStreams(), ...realStreams()];
const rows: EvaluationRow[] = [];
for (const stream of streams) {
  for (const c of candidates.filter((c) => DRIFT_DETECTORS[c.kind].inputType === stream.inputType)) {
    const result = evaluateStream(c.create, stream, { deltaMax: 250 });
    rows.push({ detector: c.name, stream: stream.name, inputType: stream.inputType, ...result });
  }
}

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;
writeFileSync(new URL('../docs/drift-benchmark.md', import.meta.url), renderReport(rows, streams, machine));

const finite = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1000) / 1000 : null);
const json = rows.map((r) => ({
  detector: r.detector,
  stream: r.stream,
  delayMedian: finite(r.delayMedian),
  falseAlarmsPer10k: finite(r.falseAlarmsPer10k),
  missedEpisodes: r.missedEpisodes,
  f1: finite(r.f1),
  baselineF1: finite(r.baselineF1),
}));
if (process.argv.includes('--json')) console.log(JSON.stringify(json));
else console.table(json);
