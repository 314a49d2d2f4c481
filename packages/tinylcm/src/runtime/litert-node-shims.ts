import fs from 'node:fs';
import path from 'node:path';
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

const SHIM_KEYS = ['self', 'require', '__dirname', 'importScripts', 'Module'] as const;

/**
 * Runs `fn` (which loads LiteRT.js) with the browser/worker globals LiteRT.js' loader expects, then
 * removes them again so they never leak into the rest of the process.
 *
 * Why each shim (see notes/runtime-probe.md): `@litertjs/wasm-utils` loads the Emscripten glue with
 * `importScripts` (worker) or a `<script>` tag (page) and reads `self.ModuleFactory`; the glue then
 * runs in "Node mode" and needs `require` and `__dirname`, which ESM lacks. `Module` is the
 * Emscripten options object: its `print`/`printErr` route the C++ logs to `sink` instead of the
 * console (they are bound once, when the module is created). `console.warn` is wrapped during the
 * load because LiteRT's `Environment.create()` always tries WebGPU and warns
 * "Failed to create default WebGPU device" when there is none.
 *
 * This depends on LiteRT.js internals, hence the exact version pin of `@litertjs/core`.
 * @example
 * const lib = await withLiteRtNodeShims(liteRtWasmDir(), (l) => log.debug(l), async () => {
 *   const lib = await import('@litertjs/core');
 *   await lib.loadLiteRt(liteRtWasmDir() + '/');
 *   return lib;
 * });
 */
export async function withLiteRtNodeShims<T>(wasmDir: string, sink: LiteRtLogSink, fn: () => Promise<T>): Promise<T> {
  const g = globalThis as Record<string, unknown>;
  const saved = new Map(SHIM_KEYS.filter((k) => k in g).map((k) => [k, g[k]]));
  const warn = console.warn;
  Object.assign(g, {
    self: globalThis,
    require: createRequire(import.meta.url),
    __dirname: wasmDir,
    importScripts: (file: string) => vm.runInThisContext(fs.readFileSync(file, 'utf8'), { filename: file }),
    Module: { print: (l: string) => sink(l, 'out'), printErr: (l: string) => sink(l, 'err') },
  });
  console.warn = (...args: unknown[]) => sink(args.map(String).join(' '), 'err');
  try {
    return await fn();
  } finally {
    console.warn = warn;
    for (const k of SHIM_KEYS) {
      if (saved.has(k)) g[k] = saved.get(k);
      else delete g[k];
    }
  }
}
