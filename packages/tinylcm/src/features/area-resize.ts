import { TinyMLOpsError } from '@tinymlops/contracts';
import { nativeAreaResize, nativeReplicate } from './native-area-resize.js';

/**
 * Area-average resize of interleaved (HWC) uint8 images — THE resize of TinyMLOps, used identically
 * by the training export (`area_resize` in examples/model-training/train_feature_extractor.py), the
 * device and the server, because the resize method shifts the features (notes/runtime-probe.md).
 *
 * Each output pixel is the mean of the input area it covers, with fractional-overlap weights:
 * on a common grid, input pixel r covers [r·outN, (r+1)·outN) and output pixel i covers
 * [i·inN, (i+1)·inN); the integer overlap lengths Wy, Wx weight the sum
 * S = Σ Wy·Wx·pixel, D = inH·inW, and the result is floor(S/D + 0.5) computed exactly as
 * ⌊(2S + D) / 2D⌋. All integer arithmetic (exact in float64 up to 2^53), so every implementation
 * gets bit-identical bytes. An integer upscale is pixel replication; an integer downscale is the
 * block mean. Close to OpenCV's INTER_AREA for downscaling.
 */

/** One axis: for output i, the input indices `first[i] … first[i]+count[i]-1` with integer weights. */
export interface AxisWeights {
  first: Int32Array;
  count: Int32Array;
  /** `weight[offset[i] + k]` is the overlap of output i with input `first[i] + k`. */
  offset: Int32Array;
  weight: Int32Array;
}

function axisWeights(inN: number, outN: number): AxisWeights {
  const first = new Int32Array(outN);
  const count = new Int32Array(outN);
  const offset = new Int32Array(outN);
  const weights: number[] = [];
  for (let i = 0; i < outN; i++) {
    const lo = i * inN;
    const hi = (i + 1) * inN;
    const r0 = Math.floor(lo / outN);
    const r1 = Math.floor((hi - 1) / outN);
    first[i] = r0;
    count[i] = r1 - r0 + 1;
    offset[i] = weights.length;
    for (let r = r0; r <= r1; r++) weights.push(Math.min(hi, (r + 1) * outN) - Math.max(lo, r * outN));
  }
  return { first, count, offset, weight: Int32Array.from(weights) };
}

/** Sizes of an area resize. */
export interface AreaResizeSize {
  srcWidth: number;
  srcHeight: number;
  dstWidth: number;
  dstHeight: number;
  /** Interleaved channels per pixel (1 gray, 3 RGB, 4 RGBA). */
  channels: number;
}

/** A precomputed resize for one size pair; `resizeInto` allocates nothing. */
export interface AreaResizer extends Readonly<AreaResizeSize> {
  /** True for an integer upscale: every output pixel is a copy of one input pixel. */
  readonly replicates: boolean;
  /** Resizes `src` (srcH×srcW×C bytes) into `dst` (dstH×dstW×C bytes) and returns `dst`. */
  resizeInto(src: Uint8Array, dst: Uint8Array): Uint8Array;
  /**
   * Replicating gray resizers with the addon: {@link resizeInto} to RGB (dstH×dstW×3 bytes, gray
   * replicated into each channel) in one pass, without an RGB copy of the frame.
   */
  readonly grayToRgbInto?: (src: Uint8Array, dst: Uint8Array) => Uint8Array;
}

function checkLengths(s: AreaResizeSize, src: Uint8Array, dst: Uint8Array, outChannels = s.channels): void {
  const { srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: c } = s;
  if (src.length !== sw * sh * c) {
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      `area resize: source has ${src.length} bytes, expected ${sw}×${sh}×${c} = ${sw * sh * c}`,
    );
  }
  if (dst.length !== dw * dh * outChannels) {
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      `area resize: destination has ${dst.length} bytes, expected ${dw * dh * outChannels}`,
    );
  }
}

/**
 * An integer upscale (28 → 112 or 224): each output pixel lies inside one input pixel, so the area
 * mean is that pixel — the general formula gives exactly this. In C with the addon (unless
 * `native` is false): right after an inference the caches are cold, and the JavaScript rows plus
 * a separate gray → RGB pass cost more than one C pass writing the output once.
 */
function replicatingResizer(size: AreaResizeSize, native: boolean): AreaResizer {
  const run = native ? nativeReplicate(size, size.channels) : undefined;
  if (!run) return jsReplicatingResizer(size);
  const toRgb = size.channels === 1 ? nativeReplicate(size, 3) : undefined;
  return {
    ...size,
    replicates: true,
    resizeInto: (src, dst) => (checkLengths(size, src, dst), run(src, dst), dst),
    ...(toRgb ? { grayToRgbInto: (src, dst) => (checkLengths(size, src, dst, 3), toRgb(src, dst), dst) } : {}),
  };
}

/**
 * {@link replicatingResizer} in JavaScript: builds each output row once (as 32-bit words when the
 * repeated block is whole words: 4× fewer stores) and doubles it into the rows that repeat it
 * (log₂ copies instead of one per row).
 */
function jsReplicatingResizer(size: AreaResizeSize): AreaResizer {
  const { srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: c } = size;
  const [fx, fy, rowLen] = [dw / sw, dh / sh, dw * c];
  const wordRows = (c === 1 || c === 3) && fx % 4 === 0;
  let view: { dst: Uint8Array; words: Uint32Array | undefined } | undefined; // the last dst, as words
  const wordsOf = (dst: Uint8Array) => {
    if (view?.dst === dst) return view.words;
    const aligned = wordRows && dst.byteOffset % 4 === 0;
    view = { dst, words: aligned ? new Uint32Array(dst.buffer, dst.byteOffset, dst.length / 4) : undefined };
    return view.words;
  };
  return {
    ...size,
    replicates: true,
    resizeInto(src, dst) {
      checkLengths(size, src, dst);
      const words = wordsOf(dst);
      for (let r = 0; r < sh; r++) {
        const first = r * fy * rowLen;
        if (words && c === 3) rgbWordRow(src, r * sw * 3, sw, fx, words, first / 4);
        else if (words) grayWordRow(src, r * sw, sw, fx, words, first / 4);
        else byteRow(src, r * sw * c, sw, fx, c, dst, first);
        for (let have = 1; have < fy; have *= 2) {
          const n = Math.min(have, fy - have);
          dst.copyWithin(first + have * rowLen, first, first + n * rowLen);
        }
      }
      return dst;
    },
  };
}

/** One output row of an RGB upscale by fx (a multiple of 4): 3 words hold 4 pixels (little-endian). */
function rgbWordRow(src: Uint8Array, i0: number, sw: number, fx: number, out: Uint32Array, o: number): void {
  const n = (fx * 3) / 4;
  for (let x = 0, i = i0; x < sw; x++, i += 3) {
    const r = src[i] as number;
    const g = src[i + 1] as number;
    const b = src[i + 2] as number;
    const w0 = (r | (g << 8) | (b << 16) | (r << 24)) >>> 0;
    const w1 = (g | (b << 8) | (r << 16) | (g << 24)) >>> 0;
    const w2 = (b | (r << 8) | (g << 16) | (b << 24)) >>> 0;
    for (let k = 0; k < n; k += 3, o += 3) {
      out[o] = w0;
      out[o + 1] = w1;
      out[o + 2] = w2;
    }
  }
}

/** One output row of a gray upscale by fx (a multiple of 4). */
function grayWordRow(src: Uint8Array, i0: number, sw: number, fx: number, out: Uint32Array, o: number): void {
  const n = fx / 4;
  for (let x = 0; x < sw; x++) {
    const w = Math.imul(src[i0 + x] as number, 0x01010101) >>> 0;
    for (let k = 0; k < n; k++) out[o++] = w;
  }
}

/** One output row, byte by byte (any channel count and factor). */
function byteRow(src: Uint8Array, i0: number, sw: number, fx: number, c: number, dst: Uint8Array, o: number): void {
  for (let x = 0; x < sw; x++) {
    const i = i0 + x * c;
    for (let k = 0; k < fx; k++) for (let ch = 0; ch < c; ch++) dst[o++] = src[i + ch] as number;
  }
}

function checkSize(s: AreaResizeSize): void {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v <= 0) {
      throw new TinyMLOpsError('VALIDATION_FAILED', `area resize: ${k} must be a positive integer, got ${String(v)}`);
    }
  }
}

/**
 * Precomputes the weights of an area resize; reuse the result for every frame of the same size.
 * It runs in C when TinyLCM's addon is built (same weights, same integer sums, same bytes; ~10×
 * faster on a 640×480 camera frame; an integer upscale as row copies) unless `options.native` is false.
 * @example
 * const r = createAreaResizer({ srcWidth: 640, srcHeight: 480, dstWidth: 112, dstHeight: 112, channels: 3 });
 * const out = new Uint8Array(112 * 112 * 3);
 * r.resizeInto(frame, out); // no allocation per frame
 */
export function createAreaResizer(size: AreaResizeSize, options: { native?: boolean } = {}): AreaResizer {
  checkSize(size);
  if (size.dstWidth % size.srcWidth === 0 && size.dstHeight % size.srcHeight === 0)
    return replicatingResizer(size, options.native !== false);
  const { srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: c } = size;
  const wx = axisWeights(sw, dw);
  const wy = axisWeights(sh, dh);
  const native = options.native === false ? undefined : nativeAreaResize(size, wx, wy);
  if (native) {
    return {
      ...size,
      replicates: false,
      resizeInto: (src, dst) => (checkLengths(size, src, dst), native(src, dst), dst),
    };
  }
  const row = new Float64Array(dw * c); // one input row, resized horizontally (integer sums)
  const acc = new Float64Array(dh * dw * c); // S for every output value
  const d = sw * sh;
  const { start: rowStart, out: rowOut, weight: rowWeight } = rowContributions(wy, sh);
  const rowLen = dw * c;
  return {
    ...size,
    replicates: false,
    resizeInto(src, dst) {
      checkLengths(size, src, dst);
      acc.fill(0);
      for (let r = 0; r < sh; r++) {
        horizontal(src, r * sw * c, wx, c, row);
        for (let k = rowStart[r] as number; k < (rowStart[r + 1] as number); k++) {
          const base = (rowOut[k] as number) * rowLen;
          const w = rowWeight[k] as number;
          for (let j = 0; j < rowLen; j++) acc[base + j] = (acc[base + j] as number) + w * (row[j] as number);
        }
      }
      for (let j = 0; j < acc.length; j++) dst[j] = Math.floor((2 * (acc[j] as number) + d) / (2 * d));
      return dst;
    },
  };
}

/** Resizes one input row horizontally: `row[x·c + ch] = Σ Wx · src`. */
function horizontal(src: Uint8Array, base: number, wx: AxisWeights, c: number, row: Float64Array): void {
  const { first, count, offset, weight } = wx; // locals: keeps the hot loop free of property loads
  const dw = first.length;
  for (let x = 0; x < dw; x++) {
    const f = base + (first[x] as number) * c;
    const n = count[x] as number;
    const o = offset[x] as number;
    for (let ch = 0; ch < c; ch++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (weight[o + k] as number) * (src[f + k * c + ch] as number);
      row[x * c + ch] = s;
    }
  }
}

/** Inverts the y weights: for input row r, the output rows it feeds and with which weight (CSR). */
function rowContributions(wy: AxisWeights, sh: number): { start: Int32Array; out: Int32Array; weight: Int32Array } {
  const lists: [number, number][][] = Array.from({ length: sh }, () => []);
  for (let i = 0; i < wy.first.length; i++) {
    for (let k = 0; k < (wy.count[i] as number); k++) {
      lists[(wy.first[i] as number) + k]?.push([i, wy.weight[(wy.offset[i] as number) + k] as number]);
    }
  }
  const start = new Int32Array(sh + 1);
  lists.forEach((l, r) => (start[r + 1] = (start[r] as number) + l.length));
  const flat = lists.flat();
  return { start, out: Int32Array.from(flat, (p) => p[0]), weight: Int32Array.from(flat, (p) => p[1]) };
}

/**
 * One-shot area resize (allocates the weights and the output; use {@link createAreaResizer} per stream).
 * @example
 * const small = areaResize(rgb, { srcWidth: 4, srcHeight: 4, dstWidth: 2, dstHeight: 2, channels: 3 });
 */
export function areaResize(src: Uint8Array, size: AreaResizeSize): Uint8Array {
  const r = createAreaResizer(size);
  return r.resizeInto(src, new Uint8Array(size.dstWidth * size.dstHeight * size.channels));
}
