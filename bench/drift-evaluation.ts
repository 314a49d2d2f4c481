/**
 * `npm run eval:drift [-- --json] [-- --seeds N] [-- --streams <dir>] [-- --synthetic-only]`: every
 * registered detector (at defaults, plus a few documented settings) on every stream of its input
 * type, and the device's default detector set (`device-default`) on every real recording; metrics
 * from `evaluateStream` / `score`. Real streams: the pipeline recordings of bench/real-streams.ts,
 * independent draws and correlated camera-like streams (each image held 1–30 frames, exactly or
 * with sensor jitter), for seeds 1..N (default 3: other images and other holds). Every detector
 * runs on seed 1; the default set runs on every seed. Recordings are made on the first run (the jitter ones take minutes: every
 * frame goes through the model) and cached in bench/.cache/. Each `*.json` file
 * `{name, inputType, values, driftPoints, deltaMax?}` in `bench/streams/` (or --streams <dir>) is
 * appended. Writes docs/drift-benchmark.md; with --json the last stdout line is the result array.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DRIFT_DETECTORS, evaluateStream, type DriftStream, type StreamEvaluation } from '@tinymlops/tinylcm';
import { CANDIDATES } from './drift-candidates.js';
import { bundleContext, deviceDefaultRow } from './drift-device-default.js';
import { syntheticStreams } from './drift-streams.js';
import { renderReport } from './drift-report.js';
import {
  correlatedFamily,
  independentFamily,
  realFrames,
  realRecordings,
  streamsOf,
  type StreamFamily,
} from './real-streams.js';

/** One row of the result: the JSON shape of the issue plus the fields the report needs. */
export interface EvaluationRow extends StreamEvaluation {
  readonly detector: string;
  readonly stream: string;
  readonly inputType: string;
}

function fileStreams(): DriftStream[] {
  const flag = process.argv.indexOf('--streams');
  const dir = flag > 0 ? process.argv[flag + 1]! : fileURLToPath(new URL('./streams/', import.meta.url));
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as DriftStream);
}

function evaluate(streams: readonly DriftStream[], rows: EvaluationRow[]): void {
  for (const stream of streams) {
    const fits = (c: (typeof CANDIDATES)[number]) =>
      DRIFT_DETECTORS[c.kind].inputType === stream.inputType && (c.streams?.test(stream.name) ?? true);
    for (const c of CANDIDATES.filter(fits)) {
      const result = evaluateStream(c.create, stream, { deltaMax: 250 });
      rows.push({ detector: c.name, stream: stream.name, inputType: stream.inputType, ...result });
    }
  }
}

const seedsFlag = process.argv.indexOf('--seeds');
const seeds = seedsFlag > 0 ? Number(process.argv[seedsFlag + 1]) : 3;
if (!Number.isInteger(seeds) || seeds < 1) throw new Error('--seeds takes an integer ≥ 1');
const bySeed = (family: (seed: number) => StreamFamily) => Array.from({ length: seeds }, (_, s) => family(s + 1));
const families: StreamFamily[] = process.argv.includes('--synthetic-only')
  ? []
  : [independentFamily, (s: number) => correlatedFamily(s, false), (s: number) => correlatedFamily(s, true)].flatMap(
      bySeed,
    );
const streams: DriftStream[] = [...syntheticStreams(), ...fileStreams()];
const rows: EvaluationRow[] = [];
evaluate(streams, rows);
const context = bundleContext();
for (const family of families) {
  process.stderr.write(`evaluating ${family.name || 'independent'} streams\n`);
  const [recordings, frames] = await Promise.all([realRecordings(family), realFrames(family)]);
  const real = family.seed === 1 ? recordings.flatMap(streamsOf) : [];
  evaluate(real, rows);
  streams.push(...real);
  rows.push(...recordings.map((r, k) => deviceDefaultRow(r, context, frames[k])));
}

const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}`;
writeFileSync(new URL('../docs/drift-benchmark.md', import.meta.url), renderReport(rows, streams, families, machine));

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
