import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { TinyMLOpsError, type InputSpec } from '@tinymlops/contracts';
import { PROTOTYPE_OBJECT_INPUT } from '../internal/test-paths.js';
import { areaResize } from './area-resize.js';
import { createPreprocessor, decodeImage, preprocessFrame } from './preprocess.js';

const spec = (over: Partial<InputSpec> = {}): InputSpec => ({
  name: 'input',
  shape: [1, 4, 4, 3],
  dtype: 'uint8',
  colorOrder: 'rgb',
  normalization: { scale: 1, offset: 0 },
  resize: { method: 'area', width: 4, height: 4 },
  grayscaleToRgb: true,
  ...over,
});

/** 8×6 RGB test pattern. */
const rgb86 = Uint8Array.from({ length: 8 * 6 * 3 }, (_, i) => (i * 29 + 7) % 256);

async function expectBadFrame(p: Promise<unknown> | (() => unknown), re: RegExp): Promise<void> {
  const e = await (typeof p === 'function' ? Promise.resolve().then(p) : p).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(TinyMLOpsError);
  expect((e as TinyMLOpsError).code).toBe('VALIDATION_FAILED');
  expect((e as Error).message).toMatch(re);
}

describe('preprocessFrame', () => {
  it('decodes a PNG made with sharp losslessly and area-resizes it to the spec', async () => {
    const png = await sharp(Buffer.from(rgb86), { raw: { width: 8, height: 6, channels: 3 } })
      .png()
      .toBuffer();
    const input = await preprocessFrame(new Uint8Array(png), spec());
    const oracle = areaResize(rgb86, { srcWidth: 8, srcHeight: 6, dstWidth: 4, dstHeight: 4, channels: 3 });
    expect(input).toBeInstanceOf(Uint8Array);
    expect(input).toEqual(oracle);
  });

  it('copies a grayscale PNG into R, G and B', async () => {
    const g = Uint8Array.from({ length: 16 }, (_, i) => i * 16);
    const png = await sharp(Buffer.from(g), { raw: { width: 4, height: 4, channels: 1 } })
      .png()
      .toBuffer();
    const frame = await decodeImage(new Uint8Array(png)); // libvips may already expand gray to sRGB
    expect([1, 3]).toContain(frame.channels);
    const input = await preprocessFrame(frame, spec());
    expect([...input.subarray(0, 6)]).toEqual([0, 0, 0, 16, 16, 16]);
    const raw = await preprocessFrame({ data: g, width: 4, height: 4, channels: 1 }, spec());
    expect(raw).toEqual(input);
  });

  it('drops alpha, swaps to BGR and applies scale/offset to float32', async () => {
    const rgba = Uint8Array.from([10, 20, 30, 255]);
    const s = spec({
      shape: [1, 1, 1, 3],
      resize: { method: 'area', width: 1, height: 1 },
      colorOrder: 'bgr',
      dtype: 'float32',
      normalization: { scale: 1 / 127.5, offset: -1 },
    });
    const out = await preprocessFrame({ data: rgba, width: 1, height: 1, channels: 4 }, s);
    expect(out).toBeInstanceOf(Float32Array);
    expect([...out].map((v) => +v.toFixed(4))).toEqual(
      [30 / 127.5 - 1, 20 / 127.5 - 1, 10 / 127.5 - 1].map((v) => +v.toFixed(4)),
    );
  });

  it('rounds and clamps int8 inputs into two’s-complement bytes', async () => {
    const s = spec({
      shape: [1, 1, 1, 3],
      resize: { method: 'area', width: 1, height: 1 },
      dtype: 'int8',
      normalization: { scale: 1, offset: -128 },
    });
    const out = await preprocessFrame({ data: Uint8Array.from([0, 128, 255]), width: 1, height: 1, channels: 3 }, s);
    expect([...new Int8Array(out.buffer, out.byteOffset, 3)]).toEqual([-128, 0, 127]);
  });

  it('gives the same values on the uint8 fast paths (copy, gray → RGB) as on the general float path', () => {
    const gray = { data: rgb86.subarray(0, 48), width: 8, height: 6, channels: 1 };
    const colour = { data: rgb86, width: 8, height: 6, channels: 3 };
    for (const frame of [gray, colour]) {
      const fast = createPreprocessor(spec()).process(frame);
      const general = createPreprocessor(spec({ dtype: 'float32' })).process(frame);
      expect(Array.from(fast)).toEqual(Array.from(general));
    }
  });

  it('hands a frame that already is the model input over as is, and converts one that is not', () => {
    const s4 = spec({ resize: { method: 'area', width: 8, height: 6 }, shape: [1, 6, 8, 3] });
    const frame = { data: rgb86, width: 8, height: 6, channels: 3 };
    const general = createPreprocessor({ ...s4, dtype: 'float32' }).process(frame);
    const asIs = createPreprocessor(s4).process(frame);
    expect(asIs).toBe(rgb86); // zero copy
    expect(Array.from(asIs)).toEqual(Array.from(general));
    const bgr = createPreprocessor({ ...s4, colorOrder: 'bgr' }).process(frame);
    expect(bgr).not.toBe(rgb86);
    expect(Array.from(bgr.subarray(0, 3))).toEqual([rgb86[2], rgb86[1], rgb86[0]]);
    const scaled = createPreprocessor({ ...s4, normalization: { scale: 2, offset: 0 } }).process(frame);
    expect(scaled).not.toBe(rgb86);
  });

  it('gives the model the same bytes with and without the addon (28² gray → 224² RGB, the benchmark frames)', () => {
    const gray = {
      data: Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 71 + 3) % 256),
      width: 28,
      height: 28,
      channels: 1,
    };
    const colour = {
      ...gray,
      data: Uint8Array.from({ length: 28 * 28 * 3 }, (_, i) => (i * 71 + 3) % 256),
      channels: 3,
    };
    for (const frame of [gray, colour]) {
      const c = createPreprocessor(PROTOTYPE_OBJECT_INPUT).process(frame);
      const js = createPreprocessor(PROTOTYPE_OBJECT_INPUT, { nativeResize: false }).process(frame);
      expect(c.length).toBe(224 * 224 * 3);
      expect(Buffer.compare(Buffer.from(c), Buffer.from(js))).toBe(0);
    }
  });

  it('reuses one output buffer per preprocessor', () => {
    const pre = createPreprocessor(spec());
    const a = pre.process({ data: rgb86, width: 8, height: 6, channels: 3 });
    expect(pre.process({ data: rgb86, width: 8, height: 6, channels: 3 })).toBe(a);
  });

  it('rejects bad frames with VALIDATION_FAILED naming the problem', async () => {
    await expectBadFrame(
      preprocessFrame({ data: new Uint8Array(10), width: 8, height: 6, channels: 3 }, spec()),
      /expected 8×6×3 = 144 bytes, got 10 bytes/,
    );
    await expectBadFrame(
      preprocessFrame({ data: new Uint8Array(0), width: 0, height: 6, channels: 3 }, spec()),
      /width must be a positive integer, got 0/,
    );
    await expectBadFrame(
      preprocessFrame({ data: new Uint8Array(96), width: 8, height: 6, channels: 2 }, spec()),
      /channels must be 1, 3 or 4/,
    );
    await expectBadFrame(preprocessFrame(new Uint8Array(0), spec()), /empty/);
    await expectBadFrame(
      preprocessFrame(new TextEncoder().encode('definitely not a JPEG'), spec()),
      /cannot decode the image \(21 bytes\)/,
    );
    const gray = { data: new Uint8Array(48), width: 8, height: 6, channels: 1 };
    await expectBadFrame(preprocessFrame(gray, spec({ grayscaleToRgb: false })), /grayscale/);
  });

  it('rejects a spec whose shape disagrees with its resize', () => {
    expect(() => createPreprocessor(spec({ shape: [1, 5, 4, 3] }))).toThrow(/does not match resize 4×4/);
  });
});
