import { TinyMLOpsError, type InputSpec } from '@tinymlops/contracts';
import { createAreaResizer, type AreaResizer } from './area-resize.js';

/** An undecoded camera frame: interleaved HWC bytes, 1 (gray), 3 (RGB) or 4 (RGBA) channels. */
export interface RawFrame {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/** What {@link preprocessFrame} accepts: encoded JPEG/PNG bytes, or a raw frame. */
export type FrameSource = Uint8Array | RawFrame;

const invalid = (msg: string, cause?: unknown): TinyMLOpsError =>
  new TinyMLOpsError('VALIDATION_FAILED', `bad frame: ${msg}`, cause === undefined ? {} : { cause });

/**
 * Decodes JPEG/PNG (anything libvips reads) into 8-bit RGB or gray bytes, with the EXIF orientation
 * applied and any alpha channel dropped.
 * @example
 * const frame = await decodeImage(fs.readFileSync('shot.jpg')); // { data, width, height, channels: 3 }
 */
export async function decodeImage(bytes: Uint8Array): Promise<RawFrame> {
  if (bytes.length === 0) throw invalid('the image is empty (0 bytes)');
  // Imported on first use: libvips adds ~30 MB RSS, which a device fed raw camera frames never needs.
  const { default: sharp } = await import('sharp');
  try {
    const img = sharp(bytes).rotate().removeAlpha();
    let { data, info } = await img.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 1 && info.channels !== 3) {
      // CMYK and other colour spaces: convert to sRGB first.
      ({ data, info } = await img.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }));
    }
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      channels: info.channels,
    };
  } catch (e) {
    throw invalid(`cannot decode the image (${bytes.length} bytes): ${(e as Error).message}`, e);
  }
}

/** Throws `VALIDATION_FAILED` unless the frame's byte length matches its declared size. */
export function checkRawFrame(f: RawFrame): void {
  for (const k of ['width', 'height', 'channels'] as const) {
    if (!Number.isInteger(f[k]) || f[k] <= 0) throw invalid(`${k} must be a positive integer, got ${String(f[k])}`);
  }
  if (![1, 3, 4].includes(f.channels)) throw invalid(`channels must be 1, 3 or 4, got ${f.channels}`);
  const want = f.width * f.height * f.channels;
  if (!(f.data instanceof Uint8Array) || f.data.length !== want) {
    const got = f.data instanceof Uint8Array ? `${f.data.length} bytes` : typeof f.data;
    throw invalid(`expected ${f.width}×${f.height}×${f.channels} = ${want} bytes, got ${got}`);
  }
}

/** Turns raw frames into model input buffers for one {@link InputSpec}; reuses its buffers. */
export interface Preprocessor {
  readonly spec: InputSpec;
  /**
   * The model input for `frame`. The returned buffer is reused by the next call (copy it to keep
   * it); a frame that already is the model input (its size, channels and order, uint8 as-is) is
   * returned itself, without a copy.
   */
  process(frame: RawFrame): Uint8Array | Float32Array;
}

/**
 * Builds the preprocessing for a bundle's input spec: area resize (see `area-resize.ts`) →
 * gray to RGB / alpha dropped → channel order → `value = pixel × scale + offset` → dtype.
 * uint8 and int8 outputs are rounded and clamped; int8 values are stored two's complement in the
 * returned Uint8Array. The resize runs in C when TinyLCM's addon is built (byte-identical; a gray
 * frame upscaled for an RGB uint8 model in one pass; `nativeResize: false` keeps it in JavaScript).
 * @example
 * const pre = createPreprocessor(bundle.manifest.input);
 * const input = pre.process({ data, width: 640, height: 480, channels: 3 });
 * const out = await runtime.run(input);
 */
export function createPreprocessor(spec: InputSpec, options: { nativeResize?: boolean } = {}): Preprocessor {
  const { width, height } = spec.resize;
  const [, h, w, c] = spec.shape;
  if (h !== height || w !== width || (c !== 1 && c !== 3)) {
    throw new TinyMLOpsError(
      'VALIDATION_FAILED',
      `input spec: shape [${spec.shape.join(',')}] does not match resize ${width}×${height} with 1 or 3 channels`,
    );
  }
  const resizers = new Map<number, AreaResizer>();
  // A numeric key and no closure per frame: this runs on every frame, ahead of the model.
  const resizer = (frame: RawFrame, channels: number) => {
    const key = (frame.width * 65536 + frame.height) * 8 + channels;
    let r = resizers.get(key);
    if (!r) {
      if (resizers.size >= 4) resizers.clear(); // frame sizes rarely change; bound the cache anyway
      const size = { srcWidth: frame.width, srcHeight: frame.height, dstWidth: width, dstHeight: height };
      r = createAreaResizer({ ...size, channels }, { native: options.nativeResize !== false });
      resizers.set(key, r);
    }
    return r;
  };
  const resized = new Uint8Array(width * height * 4);
  // One view per channel count, kept: the resizer keeps a word view of the buffer it last wrote.
  const resizedViews = [1, 2, 3, 4].map((ch) => resized.subarray(0, width * height * ch));
  const out = spec.dtype === 'float32' ? new Float32Array(width * height * c) : new Uint8Array(width * height * c);
  const identity = spec.normalization.scale === 1 && spec.normalization.offset === 0 && spec.dtype === 'uint8';
  let scratch: Uint8Array = new Uint8Array(0);
  return {
    spec,
    process(frame) {
      checkRawFrame(frame);
      if (frame.channels === 1 && c === 3 && !spec.grayscaleToRgb) {
        throw invalid('the frame is grayscale and the input spec does not allow grayscaleToRgb');
      }
      // Zero-copy paths for uint8 models fed as-is: a frame of the model's size is the model
      // input; others are resized straight into it; a gray frame that is only upscaled is made RGB
      // first (3× a small frame, not 3× the input).
      const asIs = identity && frame.channels === c && (c === 1 || spec.colorOrder === 'rgb');
      if (asIs && frame.width === width && frame.height === height) return frame.data;
      const r = resizer(frame, frame.channels);
      if (asIs) {
        r.resizeInto(frame.data, out as Uint8Array);
        return out;
      }
      if (identity && frame.channels === 1 && c === 3 && r.replicates) {
        if (r.grayToRgbInto) return r.grayToRgbInto(frame.data, out as Uint8Array);
        const rgb = grayToRgb(frame.data, scratch);
        scratch = rgb;
        resizer(frame, 3).resizeInto(rgb, out as Uint8Array);
        return out;
      }
      const px = r.resizeInto(frame.data, resizedViews[frame.channels - 1] as Uint8Array);
      writeChannels(px, frame.channels, c, spec, out, identity);
      return out;
    },
  };
}

/** Gray bytes → RGB bytes, in `into` when it has the size (reused across frames). */
function grayToRgb(gray: Uint8Array, into: Uint8Array): Uint8Array {
  const rgb = into.length === gray.length * 3 ? into : new Uint8Array(gray.length * 3);
  for (let i = 0, o = 0; i < gray.length; i++, o += 3) {
    const v = gray[i] as number;
    rgb[o] = v;
    rgb[o + 1] = v;
    rgb[o + 2] = v;
  }
  return rgb;
}

/** Maps the resized pixels to the model's channels, order, normalisation and dtype. */
function writeChannels(
  px: Uint8Array,
  inC: number,
  outC: number,
  spec: InputSpec,
  out: Uint8Array | Float32Array,
  identity: boolean,
): void {
  const { scale, offset } = spec.normalization;
  const bgr = spec.colorOrder === 'bgr' && outC === 3;
  const n = out.length / outC;
  // Fast paths for uint8 models fed as-is (the common case): a copy, or gray replicated to RGB.
  // The general loop below costs ~3× more per value (a branch and a conversion per value).
  if (identity && inC === outC && !bgr) {
    out.set(px);
    return;
  }
  if (identity && inC === 1 && outC === 3) {
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      const v = px[i] as number;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < outC; ch++) {
      const v =
        outC === 1 && inC > 1 ? luma(px, i * inC) : (px[i * inC + (inC === 1 ? 0 : bgr ? 2 - ch : ch)] as number);
      out[i * outC + ch] = identity ? v : convert(v * scale + offset, spec.dtype);
    }
  }
}

/** ITU-R BT.601 luma in integers, for colour frames fed to a one-channel model. */
function luma(px: Uint8Array, i: number): number {
  return Math.floor((299 * (px[i] as number) + 587 * (px[i + 1] as number) + 114 * (px[i + 2] as number) + 500) / 1000);
}

function convert(v: number, dtype: InputSpec['dtype']): number {
  if (dtype === 'float32') return v;
  const q = Math.floor(v + 0.5);
  if (dtype === 'uint8') return Math.min(255, Math.max(0, q));
  return Math.min(127, Math.max(-128, q)) & 0xff; // int8, two's complement byte
}

/**
 * One-shot preprocessing of encoded bytes or a raw frame (creates a preprocessor per call; keep one
 * from {@link createPreprocessor} for streams). Returns a fresh buffer.
 * @example
 * const input = await preprocessFrame(fs.readFileSync('shot.png'), bundle.manifest.input);
 */
export async function preprocessFrame(source: FrameSource, spec: InputSpec): Promise<Uint8Array | Float32Array> {
  const frame = source instanceof Uint8Array ? await decodeImage(source) : source;
  return createPreprocessor(spec).process(frame).slice();
}
