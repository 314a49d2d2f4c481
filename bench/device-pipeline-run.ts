/**
 * One row of `npm run bench:device`, in its own process (started by bench/device-pipeline.ts, so
 * the peak RSS belongs to this row alone): `--model fashion-mnv2|poc-object --frames N
 * --backend auto|xnnpack|onnx|litert [--threads N] [--warm-up N] [--poc-onnx file]`.
 * Prints one JSON object as its last stdout line. Runs as TypeScript under tsx, or compiled to one
 * ES module by the parent (`runner: 'js'`), which is how a device without tsx's loader thread runs. Imports the inference path's modules directly
 * (not the package index) so the RSS is that of the data path, not of the sync/adaptation code.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBundlePipeline } from '../packages/tinylcm/src/bundle/bundle-pipeline.js';
import { knnFromPrototypeState } from '../packages/tinylcm/src/classify/knn-state.js';
import { KnnDistanceMonitor } from '../packages/tinylcm/src/drift/knn-distance-monitor.js';
import { FeatureTransform } from '../packages/tinylcm/src/features/feature-transform.js';
import { createPreprocessor, type RawFrame } from '../packages/tinylcm/src/features/preprocess.js';
import type { InputSpec } from '@tinymlops/contracts';
import { DataLogger } from '../packages/tinylcm/src/log/data-logger.js';
import { OperationalMonitor } from '../packages/tinylcm/src/log/operational-monitor.js';
import { createPipeline, type Pipeline, type StageTimings } from '../packages/tinylcm/src/pipeline.js';
import { loadFastestRuntime, type InferenceChoice } from '../packages/tinylcm/src/runtime/choose-backend.js';
import type { ModelBackend } from '../packages/tinylcm/src/runtime/model-runtime.js';
import { loadXnnpackAddon } from '../packages/tinylcm/src/runtime/xnnpack/xnnpack-addon.js';
import {
  benchFrames,
  JIT_WARM_UP,
  JIT_WARM_UP_SECONDS,
  POC_DIR,
  POC_INPUT,
  WARM_UP,
} from './device-pipeline-frames.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
// `--repo`: when run as the compiled bundle, import.meta.url points into node_modules/.cache.
const REPO = arg('--repo') ?? fileURLToPath(new URL('..', import.meta.url));
const model = arg('--model') ?? 'fashion-mnv2';
const frames = Number(arg('--frames') ?? 500);
const jitWarmUp = Number(arg('--warm-up') ?? JIT_WARM_UP);
const backendArg = (arg('--backend') ?? 'auto') as ModelBackend | 'auto';
const threadsRaw = arg('--threads');
const threadsArg: number | 'auto' | undefined =
  threadsRaw === undefined || threadsRaw === 'auto' ? threadsRaw : Number(threadsRaw);
const inference = { backend: backendArg, ...(threadsArg ? { threads: threadsArg } : {}) };
/**
 * Stage clock: CPU time of this thread (`thread`, default; from the addon), of the process (`cpu`)
 * or wall time. On a shared, overloaded machine wall times mostly measure the scheduler; CPU time
 * measures the work. The thread clock is one cheap syscall: `process.cpuUsage()` sums every thread
 * of the process, and after an inference that cost ~8 µs per reading — one reading per stage, so
 * ~0.7 % of a 5 ms inference was the clock itself (an empty stage measured 8 µs with it, ~1 µs with
 * the thread clock; docs/benchmarks.md). The stages run on this thread; so does single-thread
 * inference. With more than one inference thread CPU time adds up the threads, so such rows switch
 * to wall time once the backend is chosen (the clock is read only while frames run).
 */
const threadCpuMs = loadXnnpackAddon().addon?.threadCpuMs;
const clockArg = arg('--clock') ?? 'thread';
let clockKind = clockArg === 'wall' ? 'wall' : clockArg === 'thread' && threadCpuMs ? 'thread' : 'cpu';
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const clocks = { wall: () => performance.now(), thread: threadCpuMs ?? cpuMs, cpu: cpuMs };
const clock = () => clocks[clockKind as keyof typeof clocks]();

const rssMb = () => process.memoryUsage.rss() / 2 ** 20;
const baselineRssMb = rssMb();

/** The prototype's scenario-2 pipeline: 224² MobileNetV2, its scaler + PCA, its 200 × 256 KNN state. */
async function prototypePipeline(dir: string, log: DataLogger, monitor: OperationalMonitor) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the prototype's JSON files, checked by the importers
  const json = (f: string): any => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
  const preprocessor = createPreprocessor(POC_INPUT);
  const stats = json('knn_reference_stats.json') as { reference_mean: number; reference_std: number };
  // Documents before the model, as loadBundlePipeline does: the 7 MB JSON's garbage is then reused
  // by later allocations instead of adding to a peak on top of LiteRT's WASM heap (~13 MB less peak RSS).
  const transform = FeatureTransform.fromPrototypeProcessor(json('feature_processor.json'));
  const classifier = knnFromPrototypeState(json('knn_initial_state_objects.json'), { prototypeDistanceScaling: true });
  classifier.accelerate();
  const onnx = arg('--poc-onnx');
  const sources = {
    tflite: new Uint8Array(readFileSync(path.join(dir, 'model_object.tflite'))),
    ...(onnx ? { onnx: new Uint8Array(readFileSync(onnx)) } : {}),
  };
  // As loadBundlePipeline does: the transform runs inside the model call where the backend can.
  const featureHead = transform.affine();
  const opts = { modelName: 'poc-object', ...(featureHead ? { featureHead } : {}) };
  const { runtime, choice } = await loadFastestRuntime(sources, opts, inference);
  const transformInModel = runtime.featureHead === true;
  if (!transformInModel) transform.accelerate();
  const pipeline = createPipeline<RawFrame, Uint8Array | Float32Array>({
    extractor: {
      preprocess: (frame) => preprocessor.process(frame),
      extract: async (input) => (await runtime.run(input)).get(runtime.featureTensor) as Float32Array,
    },
    ...(transformInModel ? {} : { transform }),
    classifier,
    detectors: [
      {
        name: 'knn-distance',
        detector: new KnnDistanceMonitor({ referenceMean: stats.reference_mean, referenceStd: stats.reference_std }),
      },
    ],
    log,
    monitor,
    logFeatures: false, // as the device runs it (EdgeDevice): features are not logged per frame
    clock,
  });
  const label = 'poc-object (224², uint8 in, prototype)';
  return { pipeline, choice, dispose: () => runtime.dispose(), label, spec: POC_INPUT, transformInModel };
}

async function projectPipeline(log: DataLogger, monitor: OperationalMonitor) {
  const dp = await loadBundlePipeline(path.join(REPO, 'models/fashion-mnv2'), {
    log,
    monitor,
    clock,
    inference,
    logFeatures: false,
  });
  const choice = dp.inference as InferenceChoice;
  const label = 'fashion-mnv2 (112², int8)';
  const { transformInModel } = dp;
  return {
    pipeline: dp.pipeline,
    choice,
    dispose: () => dp.dispose(),
    label,
    spec: dp.bundle.manifest.input,
    transformInModel,
  };
}

/** Median and p95 (nearest rank) of `xs`. */
function summary(xs: number[]): { median: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN;
  return { median: round(at(0.5), 4), p95: round(at(0.95), 4) };
}

/**
 * Preprocessing of a 640×480 RGB camera frame (area downscale to the model input, then channels
 * and dtype), ms median of 100 after 10 warm-up: with the addon's C resize, and in JavaScript.
 */
function cameraPreprocessMs(spec: InputSpec): { native: number; js: number } {
  const frame: RawFrame = { data: new Uint8Array(640 * 480 * 3), width: 640, height: 480, channels: 3 };
  for (let i = 0; i < frame.data.length; i++) frame.data[i] = (Math.imul(i, 2654435761) >>> 24) & 255;
  const time = (nativeResize: boolean) => {
    const pre = createPreprocessor(spec, { nativeResize });
    const ms: number[] = [];
    for (let i = 0; i < 110; i++) {
      const t0 = clock();
      pre.process(frame);
      if (i >= 10) ms.push(clock() - t0);
    }
    return summary(ms).median;
  };
  return { native: time(true), js: time(false) };
}

const STAGES = ['preprocessMs', 'inferenceMs', 'transformMs', 'classifyMs', 'driftMs', 'logMs'] as const;

async function main(): Promise<void> {
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'tinylcm-bench-'));
  const log = new DataLogger({ dir: logDir, budgetBytes: 8 * 2 ** 20 });
  const monitor = new OperationalMonitor();
  const shared = arg('--shared');
  const p =
    model === 'poc-object'
      ? await prototypePipeline(path.join(shared ?? '', POC_DIR), log, monitor)
      : await projectPipeline(log, monitor);
  if (p.choice.threads > 1) clockKind = 'wall';
  const loadedRssMb = rssMb();
  const frameAt = await benchFrames(REPO);
  const pipeline: Pipeline<RawFrame> = p.pipeline;
  const warmedUp = await warmUp(pipeline, (i) => frameAt(WARM_UP + frames + i));
  for (let i = 0; i < WARM_UP; i++) await pipeline.process(frameAt(i));
  const timings: StageTimings[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < frames; i++) timings.push((await pipeline.process(frameAt(WARM_UP + i))).timings);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const camera = process.argv.includes('--camera') ? cameraPreprocessMs(p.spec) : undefined;
  p.dispose();
  log.close();
  rmSync(logDir, { recursive: true, force: true });

  const stages = Object.fromEntries(STAGES.map((s) => [s.replace('Ms', ''), summary(timings.map((t) => t[s] ?? 0))]));
  const med = (s: string) => stages[s]?.median ?? 0;
  const inference = med('inference');
  const other = ['preprocess', 'transform', 'classify', 'drift', 'log'];
  const sumOf = (f: (t: StageTimings) => number) => timings.reduce((a, t) => a + f(t), 0);
  const otherMean = sumOf((t) => t.totalMs - t.inferenceMs) / frames;
  const result = {
    model: p.label,
    backend: p.choice.backend,
    threads: p.choice.threads,
    backendRequested: backendArg,
    ...(threadsArg === 'auto' ? { threadsRequested: 'auto', threadsTimed: p.choice.timed } : {}),
    runner: process.execArgv.includes('--import') ? 'tsx' : 'js',
    nodeFlags: process.execArgv.filter((a) => a === '--liftoff-only' || a.startsWith('--max')).join(' '),
    frames,
    warmUpFrames: warmedUp + WARM_UP,
    clock: clockKind,
    stages,
    inferenceMsMedian: round(inference, 3),
    // Ratio of medians: robust to the descheduling spikes of a loaded machine; the mean-based ratio
    // (which also carries GC pauses) is reported beside it.
    overheadRatio: round(other.reduce((a, s) => a + med(s), 0) / inference, 4),
    overheadRatioMean: round(otherMean / (sumOf((t) => t.inferenceMs) / frames), 4),
    knnPredictUsMedian: round(med('classify') * 1000, 1),
    // True: the transform is the model's last layer (XNNPACK), timed as part of inference.
    transformInModel: p.transformInModel,
    transformMsMedian: round(med('transform'), 4),
    cpuMsPerFrame: round((cpu.user + cpu.system) / 1000 / frames, 3),
    framesPerSecond: round((frames / wallMs) * 1000, 1),
    baselineRssMb: round(baselineRssMb, 1),
    loadedRssMb: round(loadedRssMb, 1),
    peakRssMb: round(peakRssMb(), 1),
    ...(camera ? { cameraPreprocessMsMedian: camera.native, cameraPreprocessJsMsMedian: camera.js } : {}),
  };
  console.log(JSON.stringify(result));
}

/**
 * Runs the JIT warm-up ({@link JIT_WARM_UP}): `jitWarmUp` frames or the cap in CPU seconds (not
 * wall: on a loaded machine the wall clock would cut the warm-up short); returns how many ran.
 */
async function warmUp(pipeline: Pipeline<RawFrame>, frameAt: (i: number) => RawFrame): Promise<number> {
  const cpuSeconds = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  const until = cpuSeconds() + JIT_WARM_UP_SECONDS;
  let i = 0;
  for (; i < jitWarmUp && cpuSeconds() < until; i++) await pipeline.process(frameAt(i));
  return i;
}

/**
 * This process's peak RSS: Linux's `VmHWM`. `getrusage`'s maxRSS survives `exec`, so a child
 * forked from a bench parent holding 150 MB of comparator frames would report the parent's peak.
 */
function peakRssMb(): number {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSafe('/proc/self/status'))?.[1];
  return hwm ? Number(hwm) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function readFileSafe(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

await main();
