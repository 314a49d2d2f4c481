import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { XnnPlan } from './xnnpack-plan.js';

/** The functions `tinylcm_xnnpack.c` exports. */
export interface XnnpackAddon {
  create(plan: XnnPlan): unknown;
  run(handle: unknown, input: Uint8Array | Float32Array, outputs: Float32Array[]): void;
  dispose(handle: unknown): void;
  /** A float32 fully-connected layer `y = W·x + b` (W row-major, out × in). */
  denseCreate(weights: Float32Array, bias: Float32Array): unknown;
  denseRun(handle: unknown, x: Float32Array, y: Float32Array): void;
  /** `out[r] = ‖q − rows[r]‖²` for the first `count` rows of a row-major store (float32 lanes). */
  sqDistances(q: Float32Array, rows: Float32Array, count: number, out: Float64Array): void;
  /** An area resize with the given integer axis weights (`[first, count, offset, weight]` each). */
  areaResizerCreate(size: Int32Array, x: Int32Array[], y: Int32Array[]): unknown;
  areaResizerRun(handle: unknown, src: Uint8Array, dst: Uint8Array): void;
  /** An integer upscale; `size` = [srcW, srcH, srcC, dstW, dstH, dstC], srcC = dstC or 1 → 3. */
  replicate(size: Int32Array, src: Uint8Array, dst: Uint8Array): void;
  /** CPU time of the calling thread, ms (`CLOCK_THREAD_CPUTIME_ID`): a benchmark's stage clock. */
  threadCpuMs(): number;
}

const ADDON_FILE = 'tinylcm_xnnpack.node';

/**
 * Where the addon may be, first match wins: `$TINYLCM_XNNPACK_ADDON`, the package's own build
 * output (`npm run build:xnnpack`), and beside the running program (a compiled device program
 * ships it next to its entry script).
 */
export function xnnpackAddonCandidates(): string[] {
  const fromEnv = process.env['TINYLCM_XNNPACK_ADDON'];
  const pkg = fileURLToPath(new URL('../../../native/xnnpack/build/', import.meta.url));
  const main = process.argv[1] ? path.dirname(process.argv[1]) : undefined;
  return [
    ...(fromEnv ? [fromEnv] : []),
    path.join(pkg, ADDON_FILE),
    ...(main ? [path.join(main, ADDON_FILE), path.join(main, 'native', ADDON_FILE)] : []),
  ];
}

let cached: { addon: XnnpackAddon | undefined; reason: string } | undefined;

/**
 * Loads the XNNPACK addon once per process. Resolves to `undefined` with the reason when it was
 * not built or cannot load (missing `libXNNPACK.so.0`, another CPU architecture, …).
 * @example
 * const { addon, reason } = loadXnnpackAddon();
 * if (!addon) log.info(`XNNPACK backend unavailable: ${reason}`);
 */
export function loadXnnpackAddon(): { addon: XnnpackAddon | undefined; reason: string } {
  if (cached) return cached;
  const file = xnnpackAddonCandidates().find((f) => fs.existsSync(f));
  if (!file) {
    cached = { addon: undefined, reason: 'the addon is not built (npm run build:xnnpack)' };
    return cached;
  }
  try {
    cached = { addon: createRequire(import.meta.url)(file) as XnnpackAddon, reason: `loaded ${file}` };
  } catch (e) {
    cached = { addon: undefined, reason: `${file} does not load: ${(e as Error).message}` };
  }
  return cached;
}
