/** The table and the docs/benchmarks.md section of `npm run bench:device`. */
import os from 'node:os';
import type { TfLiteResult } from './device-pipeline-tflite.js';

/** One row of `npm run bench:device -- --json`. */
export interface DeviceBenchRow {
  model: string;
  runner: 'js' | 'tsx';
  /** Backend that ran (`xnnpack`, `onnx`, `litert`), after automatic choice when requested. */
  backend: string;
  backendRequested: string;
  threads: number;
  /** `auto` on the row whose threads were timed at load; `threadsTimed` holds those timings. */
  threadsRequested?: 'auto';
  threadsTimed?: { threads: number; msMedian: number }[];
  nodeFlags: string;
  frames: number;
  /** Frames run before the timed ones (the JIT warm-up, then the comparator's 10). */
  warmUpFrames: number;
  clock: string;
  stages: Record<string, { median: number; p95: number }>;
  inferenceMsMedian: number;
  /**
   * Inference median ÷ TF Lite's single-thread CPU-time median (its latency on an idle core), same
   * frames, same run; null without the comparator.
   */
  ratioToTfLite: number | null;
  /** Present on the row run as the device launcher runs: automatic backend, launcher flags. */
  launcherDefault?: true;
  overheadRatio: number;
  overheadRatioMean: number;
  knnPredictUsMedian: number;
  transformMsMedian: number;
  /** The transform ran inside the model call (its time counts in inference, and in ratioToTfLite). */
  transformInModel: boolean;
  cpuMsPerFrame: number;
  framesPerSecond: number;
  baselineRssMb: number;
  loadedRssMb: number;
  peakRssMb: number;
  /** Launcher rows: a 640×480 RGB frame's preprocessing (C resize with the addon / JavaScript), ms median. */
  cameraPreprocessMsMedian?: number;
  cameraPreprocessJsMsMedian?: number;
  loadAverage1m: number;
}

const CLOCKS: Record<string, string> = {
  thread: "CPU time of the pipeline's thread (process CPU time where the addon is missing)",
  cpu: 'process CPU time',
  wall: 'wall time',
};
const STAGES = ['preprocess', 'inference', 'transform', 'classify', 'drift', 'log'];
const goal = (ok: boolean) => (ok ? '✓' : '✗');
const fmt = (s: { median: number; p95: number } | undefined) =>
  s ? `${s.median.toFixed(3)} / ${s.p95.toFixed(3)}` : '–';
const isPoc = (r: DeviceBenchRow) => r.model.startsWith('poc-object');

function tableRow(r: DeviceBenchRow): string {
  const ratio = r.ratioToTfLite === null ? '–' : `${r.ratioToTfLite.toFixed(2)}`;
  const cells = [
    r.model,
    `${r.launcherDefault ? '**launcher** ' : ''}${r.backend}${r.backendRequested === 'auto' ? ' (auto)' : ''}`,
    r.threadsRequested
      ? `${r.threads} (auto: ${r.threadsTimed?.map((t) => `${t.threads} → ${t.msMedian.toFixed(2)} ms`).join(', ')})`
      : String(r.threads),
    r.nodeFlags || 'default',
    r.clock,
    ...STAGES.map((s) => fmt(r.stages[s])),
    ratio,
    `${(r.overheadRatio * 100).toFixed(1)} % / ${(r.overheadRatioMean * 100).toFixed(1)} % ${goal(r.overheadRatio <= 0.02)}`,
    `${r.knnPredictUsMedian} ${goal(r.knnPredictUsMedian <= 50)}`,
    r.transformInModel ? 'in inference' : `${r.transformMsMedian} ${goal(r.transformMsMedian <= 0.5)}`,
    `${r.peakRssMb}${isPoc(r) ? ` ${goal(r.peakRssMb <= 120)}` : ''}`,
    r.cameraPreprocessMsMedian === undefined ? '–' : `${r.cameraPreprocessMsMedian} / ${r.cameraPreprocessJsMsMedian}`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function tfLiteLine(model: string, tf: TfLiteResult | undefined): string {
  if (!tf) return `- ${model}: TF Lite comparator absent (ratioToTfLite null)`;
  const runs = tf.runs.map(
    (r) => `${r.threads} thread${r.threads > 1 ? 's' : ''} ${r.cpuMsMedian} ms CPU / ${r.wallMsMedian} ms wall`,
  );
  return `- ${model}: TF Lite ${tf.tfliteVersion} (Python, XNNPACK): ${runs.join('; ')}`;
}

/** The rows' warm-up frame counts: one number, or their range (the warm-up is time-capped). */
function warmUps(rows: DeviceBenchRow[]): string {
  const n = rows.map((r) => r.warmUpFrames);
  const [lo, hi] = [Math.min(...n), Math.max(...n)];
  return lo === hi ? String(lo) : `${lo}–${hi}`;
}

/** Builds the console text and the markdown section for one run. */
export function deviceBenchReport(
  rows: DeviceBenchRow[],
  tflite: Map<string, TfLiteResult | undefined>,
  o: { frames: number; warmUp: number; clock: string; launcherFlags: string[] },
): { text: string; section: string } {
  const cpu = os.cpus();
  const machine = `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}, ${os.arch()}`;
  const load = os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' / ');
  const header =
    `${machine}; load average ${load} (1 / 5 / 15 min) at the end. \`npm run bench:device -- --frames ${o.frames} --warm-up ${o.warmUp}\`; ` +
    `stage times in ${CLOCKS[o.clock] ?? o.clock} (wall time on rows with more than one ` +
    `inference thread), ms median / p95 per frame after ${warmUps(rows)} warm-up frames (V8 optimizes the frame path ` +
    `first); each row a fresh process. ` +
    `Launcher flags: \`${o.launcherFlags.join(' ') || '(none)'}\`.`;
  const table = [
    `| model | backend | threads | node flags | clock | ${STAGES.join(' | ')} | ratio to TF Lite (1 thread) | overhead (median / mean) | KNN µs | transform ms | peak RSS MB | 640×480 preprocess ms (C / JS) |`,
    `|---|---|---:|---|---|${STAGES.map(() => '---:').join('|')}|---:|---:|---:|---:|---:|---:|`,
    ...rows.map(tableRow),
  ].join('\n');
  const tf = [...tflite].map(([m, t]) => tfLiteLine(m, t)).join('\n');
  const goals =
    'Goals: ratio to TF Lite ≤ 2.5 (1 thread) and ≤ 1.5 (all cores) on the best backend; overhead ≤ 2 % of ' +
    'inference; KNN predict ≤ 50 µs; transform ≤ 0.5 ms; peak RSS ≤ 120 MB (224² model, launcher row).';
  const rss = rows
    .map(
      (r) =>
        `${r.model} ${r.backend}×${r.threads} ${r.nodeFlags || 'default'} ${r.baselineRssMb} / ${r.loadedRssMb} / ${r.peakRssMb}`,
    )
    .join('; ');
  const text = `${header}\n\n${table}\n\n${tf}\n\n${goals}\n`;
  const section = `\n## Device pipeline — ${new Date().toISOString()}\n\n${header}\n\n${table}\n\n${tf}\n\nRSS (MB) after imports / after model load / peak: ${rss}.\n`;
  return { text, section };
}
