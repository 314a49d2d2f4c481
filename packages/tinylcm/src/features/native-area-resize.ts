import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import type { AreaResizeSize, AxisWeights } from './area-resize.js';

/**
 * The area resize's sums in C (TinyLCM's addon, `area_resize.c`) for the weights computed by
 * `area-resize.ts`, or undefined without the addon or for a frame too large for its 32-bit sums
 * (over 16.8 M source pixels). Byte-identical to the JavaScript path (tested).
 * @example
 * const run = nativeAreaResize(size, wx, wy);
 * run?.(src, dst);
 */
export function nativeAreaResize(
  size: AreaResizeSize,
  wx: AxisWeights,
  wy: AxisWeights,
): ((src: Uint8Array, dst: Uint8Array) => void) | undefined {
  const { addon } = loadXnnpackAddon();
  if (typeof addon?.areaResizerCreate !== 'function') return undefined;
  if (255 * size.srcWidth * size.srcHeight >= 2 ** 32) return undefined;
  const dims = Int32Array.of(size.srcWidth, size.srcHeight, size.dstWidth, size.dstHeight, size.channels);
  const axis = (w: AxisWeights) => [w.first, w.count, w.offset, w.weight];
  const handle = addon.areaResizerCreate(dims, axis(wx), axis(wy));
  return (src, dst) => addon.areaResizerRun(handle, src, dst);
}
