import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { createRequire } from 'node:module';

/** Where a line printed by the LiteRT WASM module went: its stdout or its stderr. */
export type LiteRtLogStream = 'out' | 'err';

/** Receives every line LiteRT prints (INFO/WARNING/ERROR from the C++ side, warnings from JS). */
export type LiteRtLogSink = (line: string, stream: LiteRtLogStream) => void;

/** The directory holding LiteRT.js' `.wasm` files and their Emscripten glue scripts. */
export function liteRtWasmDir(): string {
  const entry = createRequire(import.meta.url).resolve('@litertjs/core');
  return path.join(path.dirname(entry), '..', 'wasm');
}

const SHIM_KEYS = ['self', 'require', '__dirname', '__filename', 'importScripts', 'Module', 'navigator'] as const;

/**
 * The globals the threaded build needs after the load: it reads `navigator.hardwareConcurrency`
 * on every model compile (Node ≥ 21 has its own `navigator`, left as it is) and starts further
 * pthreads with `new Worker` (its glue sets `Worker` to `worker_threads.Worker`).
 */
export const LITERT_LASTING_GLOBALS: readonly string[] = ['navigator', 'Worker'];

/**
 * Script of each worker thread of the threaded build (a pthread): Emscripten starts
 * `new Worker(Module.mainScriptUrlOrBlob)`, which must be a file, and Node runs it as CommonJS
 * only when it ends in `.cjs` (the package's own glue is inside an ES-module package). It gives
 * the glue the Node globals it expects and runs it; the glue then serves as the pthread.
 */
const PTHREAD_BOOTSTRAP = `'use strict';
const dir = process.env.TINYLCM_LITERT_WASM_DIR;
const glue = require('node:path').join(dir, 'litert_wasm_threaded_internal.js');
globalThis.navigator ??= { hardwareConcurrency: require('node:os').availableParallelism() };
Object.assign(globalThis, { require, __filename: glue, __dirname: dir });
require('node:vm').runInThisContext(require('node:fs').readFileSync(glue, 'utf8'), { filename: glue });
`;

/**
 * Runs an Emscripten glue script inside a function, so its top-level `var`s (`ModuleFactory`,
 * `isPthread`, …) do not become undeletable globals, and returns the factory it defines.
 */
function runGlue(file: string): unknown {
  const src = fs.readFileSync(file, 'utf8');
  const wrapped = `(function () {${src}\n;return typeof ModuleFactory === 'undefined' ? undefined : ModuleFactory;})`;
  return (vm.runInThisContext(wrapped, { filename: file }) as () => unknown)();
}

let bootstrapFile: string | undefined;

/** Writes the worker bootstrap once per process into a private temporary directory. */
function pthreadBootstrap(wasmDir: string): string {
  process.env['TINYLCM_LITERT_WASM_DIR'] = wasmDir; // worker threads inherit the environment
  if (bootstrapFile) return bootstrapFile;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinylcm-litert-'));
  bootstrapFile = path.join(dir, 'pthread.cjs');
  fs.writeFileSync(bootstrapFile, PTHREAD_BOOTSTRAP, { mode: 0o600 });
  return bootstrapFile;
}

/**
 * Node 20's V8 has WebAssembly relaxed SIMD only behind a flag, and LiteRT.js loads its threaded
 * build only with relaxed SIMD. Must run before the module is compiled; Node ≥ 22 has it on.
 */
function enableRelaxedSimd(): void {
  if (Number(process.versions.node.split('.')[0]) < 22) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/**
 * Runs `fn` (which loads LiteRT.js) with the browser/worker globals LiteRT.js' loader expects, then
 * removes them again so they never leak into the rest of the process — all but
 * {@link LITERT_LASTING_GLOBALS} when `threads` is set.
 *
 * Why each shim (see notes/runtime-probe.md): `@litertjs/wasm-utils` loads the Emscripten glue with
 * `importScripts` (worker) or a `<script>` tag (page) and reads `self.ModuleFactory`; the glue then
 * runs in "Node mode" and needs `require`, `__dirname` and `__filename`, which ESM lacks. `Module`
 * is the Emscripten options object: its `print`/`printErr` route the C++ logs to `sink` instead of
 * the console (bound once, when the module is created; worker threads print directly to stderr),
 * and `mainScriptUrlOrBlob` names the pthread bootstrap. `console.warn` is wrapped during the load
 * because LiteRT's `Environment.create()` always tries WebGPU and warns when there is none.
 *
 * This depends on LiteRT.js internals, hence the exact version pin of `@litertjs/core`.
 * @example
 * const lib = await withLiteRtNodeShims(liteRtWasmDir(), (l) => log.debug(l), async () => {
 *   const lib = await import('@litertjs/core');
 *   await lib.loadLiteRt(liteRtWasmDir() + '/');
 *   return lib;
 * });
 */
export async function withLiteRtNodeShims<T>(
  wasmDir: string,
  sink: LiteRtLogSink,
  fn: () => Promise<T>,
  options: { threads?: boolean } = {},
): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const before = new Set(Object.getOwnPropertyNames(g));
  const saved = new Map(SHIM_KEYS.filter((k) => k in g).map((k) => [k, g[k]]));
  const warn = console.warn;
  const module: Record<string, unknown> = {
    print: (l: string) => sink(l, 'out'),
    printErr: (l: string) => sink(l, 'err'),
  };
  if (options.threads) {
    enableRelaxedSimd();
    module['mainScriptUrlOrBlob'] = pthreadBootstrap(wasmDir);
    g['navigator'] ??= { hardwareConcurrency: os.availableParallelism() };
  }
  Object.assign(g, {
    self: globalThis,
    require: createRequire(import.meta.url),
    __dirname: wasmDir,
    __filename: path.join(wasmDir, 'litert.js'),
    importScripts: (file: string) => (g['ModuleFactory'] = runGlue(file)),
    Module: module,
  });
  console.warn = (...args: unknown[]) => sink(args.map(String).join(' '), 'err');
  try {
    return await fn();
  } finally {
    console.warn = warn;
    // The glue also declares globals of its own (`ModuleFactory`, `isPthread`, …): drop them too.
    const keep = (k: string) => options.threads && LITERT_LASTING_GLOBALS.includes(k);
    for (const k of Object.getOwnPropertyNames(g)) if (!before.has(k) && !keep(k)) delete g[k];
    for (const [k, v] of saved) g[k] = v;
  }
}
