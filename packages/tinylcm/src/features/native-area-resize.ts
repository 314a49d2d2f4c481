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

/**
 * An integer upscale in C (`replicate` in `area_resize.c`): each output row built once and copied
 * into the rows that repeat it; with `outChannels` 3 for a gray frame, gray made RGB in the same
 * pass. Undefined without the addon. Byte-identical to `replicatingResizer` (tested).
 * @example
 * const run = nativeReplicate({ srcWidth: 28, srcHeight: 28, dstWidth: 224, dstHeight: 224, channels: 1 }, 3);
 * run?.(gray28, rgb224);
 */
export function nativeReplicate(
  size: AreaResizeSize,
  outChannels: number,
): ((src: Uint8Array, dst: Uint8Array) => void) | undefined {
  const { addon } = loadXnnpackAddon();
  if (typeof addon?.replicate !== 'function') return undefined;
  const { srcWidth, srcHeight, channels, dstWidth, dstHeight } = size;
  const dims = Int32Array.of(srcWidth, srcHeight, channels, dstWidth, dstHeight, outChannels);
  return (src, dst) => addon.replicate(dims, src, dst);
}
