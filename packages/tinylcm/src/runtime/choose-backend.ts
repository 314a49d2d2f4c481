import os from 'node:os';
import {
  loadModelRuntime,
  modelError,
  type LoadModelRuntimeOptions,
  type ModelBackend,
  type ModelRuntime,
} from './model-runtime.js';
import { readTfliteModel, TfliteFormatError } from './tflite-flatbuffer/read-tflite-model.js';

/** The same weights in the formats at hand (a bundle's model and its twins). */
export interface ModelSources {
  tflite?: Uint8Array;
  onnx?: Uint8Array;
}

/** How inference should run: `auto` picks the fastest backend that loads here. */
export interface InferenceOptions {
  /** Default `auto`. A pinned backend that cannot load is an error, not a fallback. */
  backend?: ModelBackend | 'auto';
  /**
   * Threads per inference. Default 1 (see {@link DEFAULT_THREADS}); `auto` times one thread and all
   * cores at load and keeps the faster ({@link timeThreads}).
   */
  threads?: number | 'auto';
}

/** What {@link loadFastestRuntime} chose, and why the faster candidates were passed over. */
export interface InferenceChoice {
  backend: ModelBackend;
  threads: number;
  /** One line for the log: `xnnpack, 2 threads (onnx skipped: …)`. */
  summary: string;
  skipped: { backend: ModelBackend; reason: string }[];
  /** With `threads: 'auto'`: the median inference time measured at load per thread count. */
  timed?: { threads: number; msMedian: number }[];
}

/**
 * Fastest first, measured by `npm run bench:device` (docs/benchmarks.md): XNNPACK natively (TF
 * Lite's own kernels; needs the addon), onnxruntime-node (x64/arm64; needs an ONNX twin), and
 * LiteRT.js in WASM, which runs everywhere and is the universal fallback.
 */
const ORDER: readonly ModelBackend[] = ['xnnpack', 'onnx', 'litert'];

/**
 * One thread unless `inference.threads` asks for more, as TF Lite's own interpreter defaults. A
 * thread pool pays off on an otherwise idle device (docs/tinylcm.md), but when another process
 * competes for the cores, its workers wait for each other at every layer: measured here at load
 * 18 on 2 cores, the XNNPACK pool with 2 threads was 15× slower than 1 thread, and the device
 * tests took 110 s instead of 19 s.
 */
export const DEFAULT_THREADS = 1;

/**
 * Falling back is for backends that cannot run here (addon not built, op not covered, package
 * missing), never for a corrupt model: a bundle whose `.tflite` is broken is refused even when its
 * twin would load, so a bad build is rolled back instead of running on half a bundle.
 */
function checkTflite(bytes: Uint8Array, modelName: string): void {
  try {
    readTfliteModel(bytes);
  } catch (e) {
    if (e instanceof TfliteFormatError) throw modelError(modelName, `not a valid TFLite file: ${e.message}`, e);
    throw e;
  }
}

/**
 * Loads the model with the fastest backend that works on this machine for the formats given, unless
 * `inference.backend` pins one. Each skipped candidate is reported with its reason.
 * @example
 * const { runtime, choice } = await loadFastestRuntime({ tflite: bytes }, { modelName: 'object' });
 * log.info(`inference: ${choice.summary}`);
 */
export async function loadFastestRuntime(
  sources: ModelSources,
  options: Omit<LoadModelRuntimeOptions, 'backend' | 'threads'>,
  inference: InferenceOptions = {},
): Promise<{ runtime: ModelRuntime; choice: InferenceChoice }> {
  const pinned = inference.backend && inference.backend !== 'auto' ? inference.backend : undefined;
  if (sources.tflite) checkTflite(sources.tflite, options.modelName);
  const skipped: InferenceChoice['skipped'] = [];
  for (const backend of pinned ? [pinned] : ORDER) {
    const bytes = backend === 'onnx' ? sources.onnx : sources.tflite;
    if (!bytes) {
      const reason = `no ${backend === 'onnx' ? 'ONNX' : 'TFLite'} model in the bundle`;
      if (pinned) throw modelError(options.modelName, `backend "${backend}" was pinned but there is ${reason}`);
      skipped.push({ backend, reason });
      continue;
    }
    const asked = inference.threads ?? DEFAULT_THREADS;
    const auto = asked === 'auto';
    const threads = asked === 'auto' ? 1 : Math.max(1, Math.floor(asked));
    try {
      const load = (n: number) => loadModelRuntime(bytes, { ...options, backend, threads: n });
      let runtime = await load(threads);
      let timed: InferenceChoice['timed'];
      // LiteRT.js loads its threaded or single-thread build once per process: it is not timed.
      if (auto && backend !== 'litert') ({ runtime, timed } = await timeThreads(runtime, load));
      const n = runtime.threads ?? threads;
      const why = [
        ...(timed
          ? [`timed at load: ${timed.map((t) => `${t.threads} → ${t.msMedian.toFixed(3)} ms`).join(', ')}`]
          : []),
        ...skipped.map((s) => `${s.backend} skipped: ${s.reason}`),
      ].join('; ');
      const summary = `${backend}, ${n} thread${n === 1 ? '' : 's'}${pinned ? ' (pinned)' : ''}${why ? ` (${why})` : ''}`;
      return { runtime, choice: { backend, threads: n, summary, skipped, ...(timed ? { timed } : {}) } };
    } catch (e) {
      if (pinned || backend === 'litert') throw e;
      skipped.push({ backend, reason: (e as Error).message });
    }
  }
  throw modelError(options.modelName, 'no inference backend could load the model');
}

/** Inferences timed per thread count (after one warm-up): few, so loading stays quick. */
const TIMED_RUNS = 5;

/**
 * `threads: 'auto'`: times `oneThread` and the same model loaded with every core (up to 4) on a
 * zero input, keeps the faster and disposes the other. On a one-core machine, or when the second
 * runtime cannot load, the single-thread runtime stays.
 * @example
 * const { runtime, timed } = await timeThreads(rt, (n) => loadModelRuntime(bytes, { ...o, threads: n }));
 */
export async function timeThreads(
  oneThread: ModelRuntime,
  load: (threads: number) => Promise<ModelRuntime>,
): Promise<{ runtime: ModelRuntime; timed: { threads: number; msMedian: number }[] }> {
  const cores = Math.min(4, os.availableParallelism());
  const single = { threads: 1, msMedian: await medianRunMs(oneThread) };
  if (cores < 2) return { runtime: oneThread, timed: [single] };
  let many: ModelRuntime;
  try {
    many = await load(cores);
  } catch {
    return { runtime: oneThread, timed: [single] };
  }
  const multi = { threads: cores, msMedian: await medianRunMs(many) };
  const keepMany = multi.msMedian < single.msMedian;
  (keepMany ? oneThread : many).dispose();
  return { runtime: keepMany ? many : oneThread, timed: [single, multi] };
}

async function medianRunMs(runtime: ModelRuntime): Promise<number> {
  const desc = runtime.inputs[0];
  const n = desc ? desc.shape.reduce((a, b) => a * b, 1) : 0;
  const input = desc?.dtype === 'float32' ? new Float32Array(n) : new Uint8Array(n);
  await runtime.run(input);
  const ms: number[] = [];
  for (let i = 0; i < TIMED_RUNS; i++) {
    const t0 = performance.now();
    await runtime.run(input);
    ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[TIMED_RUNS >> 1] as number;
}
