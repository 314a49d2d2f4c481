/**
 * `npm run eval:drift [-- --json] [-- --streams <dir>] [-- --synthetic-only]`: every registered
 * detector (at defaults, plus a few documented settings) on every stream of its input type; metrics
 * from `evaluateStream`. Real streams: the pipeline recordings of bench/real-streams.ts (recorded on
 * the first run, ≈ 1 min, then cached in bench/.cache/), plus each `*.json` file
 * `{name, inputType, values, driftPoints, deltaMax?}` in `bench/streams/` (or --streams <dir>).
 * Writes docs/drift-benchmark.md; with --json the last stdout line is the result array.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DRIFT_DETECTORS,
  KnnDistanceMonitor,
  createDetector,
  evaluateStream,
  type DriftDetector,
  type DriftDetectorKind,
  type DriftStream,
  type StreamEvaluation,
} from '@tinymlops/tinylcm';
import { syntheticStreams } from './drift-streams.js';
import { renderReport } from './drift-report.js';
import { realStreams } from './real-streams.js';

/** A detector configuration under evaluation. */
export interface Candidate {
  readonly name: string;
  readonly kind: DriftDetectorKind;
  readonly create: () => DriftDetector<unknown>;
  /** Only streams whose name matches (settings that make sense for one signal); default all. */
  readonly streams?: RegExp;
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

const REAL_DISTANCE = /^real .*: knn distance$/;
const REAL_CONFIDENCE = /^real .*: confidence$/;

const candidates: Candidate[] = [
  ...(Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[]).map((kind) => ({
    name: kind,
    kind,
    create: () => createDetector(kind) as DriftDetector<unknown>,
    // The KNN-distance monitor tests for a rise of the mean neighbour distance; a confidence stream is not its input.
    ...(kind === 'knn-distance' ? { streams: /^(?!real .*: confidence$)/ } : {}),
  })),
  // River's Page-Hinkley defaults (δ 0.005, λ 50) assume a unit scale; in σ units of the signal
  // (distance σ 2.73, confidence σ 0.18 on known classes) the knn-distance defaults δ 0.75σ, λ 8σ:
  {
    name: 'page-hinkley (delta 2, threshold 22)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 2, threshold: 22 }),
    streams: REAL_DISTANCE,
  },
  {
    name: 'page-hinkley (delta 0.13, threshold 1.4)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 0.13, threshold: 1.4 }),
    streams: REAL_CONFIDENCE,
  },
  {
    name: 'page-hinkley (delta 0.5, threshold 15)',
    kind: 'page-hinkley',
    create: () => createDetector('page-hinkley', { delta: 0.5, threshold: 15 }),
    // Scaled for the unit-σ synthetic streams; the real ones get their own σ-scaled settings below.
    streams: /^(?!real )/,
  },
  { name: 'kswin (alpha 0.0001)', kind: 'kswin', create: () => createDetector('kswin', { alpha: 0.0001 }) },
  // The variance streams have mean 0, so |x| is |x − μ|; on a device subtract the reference mean.
  { name: 'adwin on abs(x)', kind: 'adwin', create: mapped('adwin', Math.abs) },
  { name: 'eddm (beta 0.8)', kind: 'eddm', create: () => createDetector('eddm', { alpha: 0.85, beta: 0.8 }) },
  // How a device runs it: defaults, reference from the bundle's detectors.json (not learnt in warm-up).
  {
    name: 'knn-distance (bundle reference)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference()),
    streams: REAL_DISTANCE,
  },
  {
    name: 'knn-distance (bundle reference, δ 0.5σ, λ 6σ)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference(), { deltaSigma: 0.5, lambdaSigma: 6 }),
    streams: REAL_DISTANCE,
  },
  {
    name: 'knn-distance (bundle reference, δ 1σ, λ 25σ: old defaults)',
    kind: 'knn-distance',
    create: () => KnnDistanceMonitor.fromReference(bundleReference(), { deltaSigma: 1, lambdaSigma: 25 }),
    streams: REAL_DISTANCE,
  },
];

function bundleReference() {
  const file = new URL('../models/fashion-mnv2/detectors.json', import.meta.url);
  return JSON.parse(readFileSync(file, 'utf8')) as Parameters<typeof KnnDistanceMonitor.fromReference>[0];
}

function fileStreams(): DriftStream[] {
  const flag = process.argv.indexOf('--streams');
  const dir = flag > 0 ? process.argv[flag + 1]! : fileURLToPath(new URL('./streams/', import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DriftStream);
}

const real = process.argv.includes('--synthetic-only') ? [] : await realStreams();
const streams = [...syntheticStreams(), ...real, ...fileStreams()];
const rows: EvaluationRow[] = [];
for (const stream of streams) {
  const fits = (c: Candidate) =>
    DRIFT_DETECTORS[c.kind].inputType === stream.inputType && (c.streams?.test(stream.name) ?? true);
  for (const c of candidates.filter(fits)) {
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
