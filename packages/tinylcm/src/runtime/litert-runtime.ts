import v8 from 'node:v8';
import type * as LiteRtLib from '@litertjs/core';
import { liteRtWasmDir, withLiteRtNodeShims, type LiteRtLogSink, type LiteRtLogStream } from './litert-node-shims.js';
import {
  checkInput,
  modelError,
  type LoadModelRuntimeOptions,
  type ModelRuntime,
  type TensorDescription,
} from './model-runtime.js';
import { prepareTflite, toFloat32, type PreparedModel } from './prepare-tflite.js';

type Lib = typeof LiteRtLib;

/**
 * LiteRT's module is process-global (one WASM instance); so are its log lines. The first load
 * decides single-threaded or threaded build for the whole process.
 */
let libPromise: Promise<Lib> | undefined;
let libThreaded = false;
const logSinks = new Set<LiteRtLogSink>();
const recentErrors: string[] = [];

function routeLog(line: string, stream: LiteRtLogStream): void {
  // Keep the last error-ish lines: LiteRT prints the real reason ("Didn't find op …") to stderr and
  // then throws a generic error, so the reason must be attached to our message.
  if (stream === 'err' && line.startsWith('ERROR')) {
    recentErrors.push(line);
    if (recentErrors.length > 8) recentErrors.shift();
  }
  for (const s of logSinks) s(line, stream);
}

/** LiteRT messages carry `ERROR: [third_party/…/file.cc:245]` prefixes and tree glyphs: keep the words. */
function cleanLiteRtMessages(lines: string[]): string {
  const parts = lines
    .flatMap((l) => l.split('\n'))
    .map((l) =>
      l
        .replace(/^[\s└├│-]*/, '')
        .replace(/^(ERROR|WARNING):\s*(\[[^\]]*\])?\s*/, '')
        .trim(),
    )
    .filter((l) => l.length > 0);
  return [...new Set(parts)].join('; ') || 'no reason given';
}

function loadLib(lowMemory: boolean, threads: boolean): Promise<Lib> {
  libPromise ??= (async () => {
    // Must precede the WASM compile; V8 keeps TurboFan tier-up code (~80 MB) otherwise.
    if (lowMemory) v8.setFlagsFromString('--liftoff-only');
    const dir = liteRtWasmDir();
    libThreaded = threads;
    const load = async () => {
      const lib = await import('@litertjs/core');
      await lib.loadLiteRt(`${dir}/`, { threads });
      return lib;
    };
    return withLiteRtNodeShims(dir, routeLog, load, { threads });
  })().catch((e: unknown) => {
    libPromise = undefined;
    throw e;
  });
  return libPromise;
}

/**
 * Loads a `.tflite` model with LiteRT.js (WASM, XNNPACK): validates and patches the flatbuffer
 * (dynamic batch → 1, an int8 feature tensor exposed as float), then compiles it. With `threads`
 * above 1 the process loads LiteRT's threaded build (worker threads; see litert-node-shims.ts).
 * Prefer {@link loadModelRuntime}, which dispatches here.
 * @example
 * const rt = await createLiteRtRuntime(bytes, { modelName: 'object', featureTensor: 'feature_pool' });
 */
export async function createLiteRtRuntime(bytes: Uint8Array, options: LoadModelRuntimeOptions): Promise<ModelRuntime> {
  const prepared = prepareTflite(bytes, options);
  const threads = Math.max(1, options.threads ?? 1);
  const lib = await loadLib(options.lowMemory ?? false, threads > 1).catch((e: unknown) => {
    throw modelError(options.modelName, `LiteRT.js failed to initialise: ${(e as Error).message}`, e);
  });
  if (options.onLog) logSinks.add(options.onLog);
  recentErrors.length = 0;
  try {
    const cpuOptions = { numThreads: libThreaded ? threads : 1 };
    const compiled = await lib.loadAndCompile(prepared.bytes, { accelerator: 'wasm', cpuOptions });
    return new LiteRtRuntime(lib, compiled, prepared, { ...options, threads: cpuOptions.numThreads });
  } catch (e) {
    if (options.onLog) logSinks.delete(options.onLog);
    const reason = cleanLiteRtMessages([(e as Error).message, ...recentErrors]);
    throw modelError(
      options.modelName,
      `LiteRT could not load the model (unsupported op or invalid graph?): ${reason}`,
      e,
    );
  }
}

function describe(d: LiteRtLib.TensorDetails): TensorDescription {
  return { name: d.name, shape: [...d.shape], dtype: d.dtype };
}

class LiteRtRuntime implements ModelRuntime {
  readonly backend = 'litert' as const;
  readonly modelName: string;
  readonly inputs: readonly TensorDescription[];
  readonly outputs: readonly TensorDescription[];
  readonly featureTensor: string;
  readonly threads: number;
  #queue: Promise<unknown> = Promise.resolve();
  #disposed = false;

  constructor(
    private readonly lib: Lib,
    private readonly compiled: LiteRtLib.CompiledModel,
    private readonly prepared: PreparedModel,
    private readonly options: LoadModelRuntimeOptions,
  ) {
    this.modelName = options.modelName;
    this.inputs = compiled.getInputDetails().map(describe);
    this.outputs = compiled.getOutputDetails().map(describe);
    this.featureTensor = prepared.featureTensor;
    this.threads = options.threads ?? 1;
  }

  run(input: Uint8Array | Float32Array): Promise<Map<string, Float32Array>> {
    if (this.#disposed) return Promise.reject(modelError(this.modelName, 'run() after dispose()'));
    const desc = this.inputs[0];
    if (desc === undefined) return Promise.reject(modelError(this.modelName, 'the model has no input'));
    try {
      checkInput(this.modelName, desc, input);
    } catch (e) {
      return Promise.reject(e);
    }
    // LiteRT's run is async and the WASM instance is shared: one inference at a time.
    const next = this.#queue.then(() => this.#runOnce(input, desc));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async #runOnce(input: Uint8Array | Float32Array, desc: TensorDescription): Promise<Map<string, Float32Array>> {
    // LiteRT copies the data into WASM memory; its typings only want a non-shared ArrayBuffer view.
    const tensor = new this.lib.Tensor(input as Uint8Array<ArrayBuffer>, [...desc.shape]);
    let outs: LiteRtLib.Tensor[] = [];
    try {
      outs = await this.compiled.run(tensor);
      const result = new Map<string, Float32Array>();
      outs.forEach((t, i) => {
        const name = this.outputs[i]?.name ?? `output_${i}`;
        result.set(name, toFloat32(t.toTypedArray(), this.prepared.dequantize.get(name)));
      });
      return result;
    } catch (e) {
      throw modelError(this.modelName, `inference failed: ${(e as Error).message}`, e);
    } finally {
      tensor.delete();
      for (const t of outs) t.delete();
    }
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.compiled.delete();
    if (this.options.onLog) logSinks.delete(this.options.onLog);
  }
}
