import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TinyMLOpsError } from '@tinymlops/contracts';
import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import { areaResize, createAreaResizer, type AreaResizeSize } from './area-resize.js';

const gray = (w: number, h: number, values: number[]) => ({ src: Uint8Array.from(values), w, h });

describe('areaResize', () => {
  it('averages 2×2 blocks for an exact 4×4 → 2×2 downscale, rounding half up', () => {
    const { src } = gray(4, 4, [0, 1, 10, 20, 2, 3, 30, 40, 100, 100, 255, 255, 100, 101, 255, 254]);
    // block means: (0+1+2+3)/4 = 1.5 → 2; (10+20+30+40)/4 = 25; 401/4 = 100.25 → 100; 1019/4 = 254.75 → 255
    expect([...areaResize(src, { srcWidth: 4, srcHeight: 4, dstWidth: 2, dstHeight: 2, channels: 1 })]).toEqual([
      2, 25, 100, 255,
    ]);
  });

  it('weights fractional overlaps for 3×3 → 2×2', () => {
    // Output (0,0) covers input [0,1.5)²: weights 1, 0.5 per axis → (1·1·a + 1·.5·b + .5·1·d + .5·.5·e) / 2.25
    const { src } = gray(3, 3, [90, 0, 0, 0, 0, 0, 0, 0, 0]);
    const out = areaResize(src, { srcWidth: 3, srcHeight: 3, dstWidth: 2, dstHeight: 2, channels: 1 });
    expect([...out]).toEqual([40, 0, 0, 0]); // 90 / 2.25 = 40
    const centre = areaResize(Uint8Array.from([0, 0, 0, 0, 90, 0, 0, 0, 0]), {
      srcWidth: 3,
      srcHeight: 3,
      dstWidth: 2,
      dstHeight: 2,
      channels: 1,
    });
    expect([...centre]).toEqual([10, 10, 10, 10]); // 0.25·90 / 2.25 = 10 in every quadrant
  });

  it('rounds exactly: 7/2.25 = 3.11 → 3, and a .5 tie rounds up', () => {
    const out = areaResize(Uint8Array.from([7, 0, 0, 0, 0, 0, 0, 0, 0]), {
      srcWidth: 3,
      srcHeight: 3,
      dstWidth: 2,
      dstHeight: 2,
      channels: 1,
    });
    expect(out[0]).toBe(3);
    expect([
      ...areaResize(Uint8Array.from([0, 1]), { srcWidth: 2, srcHeight: 1, dstWidth: 1, dstHeight: 1, channels: 1 }),
    ]).toEqual([1]);
  });

  it('replicates pixels for an integer 28×28 → 112×112 upscale', () => {
    const src = Uint8Array.from({ length: 28 * 28 }, (_, i) => (i * 37) % 256);
    const out = areaResize(src, { srcWidth: 28, srcHeight: 28, dstWidth: 112, dstHeight: 112, channels: 1 });
    const expected = Uint8Array.from(
      { length: 112 * 112 },
      (_, i) => src[Math.floor(i / 448) * 28 + Math.floor((i % 112) / 4)] as number,
    );
    expect(out).toEqual(expected);
  });

  it('replicates with different factors per axis and keeps RGB channels apart (3×2 → 9×4)', () => {
    const src = Uint8Array.from({ length: 3 * 2 * 3 }, (_, i) => (i * 41) % 256);
    const r = createAreaResizer({ srcWidth: 3, srcHeight: 2, dstWidth: 9, dstHeight: 4, channels: 3 });
    expect(r.replicates).toBe(true);
    const out = r.resizeInto(src, new Uint8Array(9 * 4 * 3));
    const at = (y: number, x: number, ch: number) => src[(Math.floor(y / 2) * 3 + Math.floor(x / 3)) * 3 + ch];
    expect([...out]).toEqual(
      Array.from({ length: 9 * 4 * 3 }, (_, i) => at(Math.floor(i / 27), Math.floor(i / 3) % 9, i % 3)),
    );
  });

  it('writes whole words or single bytes alike: every integer upscale equals plain pixel replication', () => {
    const cases = [
      [1, 8, 8],
      [3, 8, 8],
      [3, 4, 12],
      [3, 3, 5],
      [4, 4, 3],
      [1, 6, 2],
    ] as const;
    for (const [c, fx, fy] of cases) {
      const [sw, sh] = [5, 3];
      const src = Uint8Array.from({ length: sw * sh * c }, (_, i) => (i * 37 + 11) % 256);
      const size = { srcWidth: sw, srcHeight: sh, dstWidth: sw * fx, dstHeight: sh * fy, channels: c };
      const want = Uint8Array.from({ length: sw * fx * sh * fy * c }, (_, j) => {
        const [px, ch] = [Math.floor(j / c), j % c];
        const [x, y] = [px % (sw * fx), Math.floor(px / (sw * fx))];
        return src[(Math.floor(y / fy) * sw + Math.floor(x / fx)) * c + ch] as number;
      });
      for (const native of [false, true]) {
        const r = createAreaResizer(size, { native }); // C with the addon unless native is false
        expect(r.replicates).toBe(true);
        expect(r.resizeInto(src, new Uint8Array(want.length))).toEqual(want);
        const unaligned = new Uint8Array(want.length + 1).subarray(1); // not on a word boundary
        expect(r.resizeInto(src, unaligned)).toEqual(want);
      }
    }
  });

  it.skipIf(!loadXnnpackAddon().addon)(
    'upscales gray straight to RGB in C: the bytes of gray → RGB, then resize',
    () => {
      for (const [sw, sh, fx, fy] of [
        [28, 28, 8, 8],
        [28, 28, 4, 4],
        [5, 3, 3, 5],
      ] as const) {
        const src = Uint8Array.from({ length: sw * sh }, (_, i) => (i * 89 + 7) % 256);
        const size = { srcWidth: sw, srcHeight: sh, dstWidth: sw * fx, dstHeight: sh * fy, channels: 1 };
        const rgbSrc = Uint8Array.from({ length: sw * sh * 3 }, (_, i) => src[Math.floor(i / 3)] as number);
        const want = createAreaResizer({ ...size, channels: 3 }, { native: false }).resizeInto(
          rgbSrc,
          new Uint8Array(sw * fx * sh * fy * 3),
        );
        const r = createAreaResizer(size);
        expect(r.grayToRgbInto?.(src, new Uint8Array(want.length))).toEqual(want);
        expect(() => r.grayToRgbInto?.(src, new Uint8Array(want.length / 3))).toThrow(/expected/);
      }
      expect(
        createAreaResizer({ srcWidth: 2, srcHeight: 2, dstWidth: 4, dstHeight: 4, channels: 1 }, { native: false })
          .grayToRgbInto,
      ).toBeUndefined();
    },
  );

  it('keeps channels apart and is the identity at equal size', () => {
    const src = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 53) % 256);
    expect(areaResize(src, { srcWidth: 5, srcHeight: 3, dstWidth: 5, dstHeight: 3, channels: 3 })).toEqual(src);
    const rgb = Uint8Array.from([255, 0, 10, 255, 0, 20]); // 2×1 RGB → 1×1
    expect([...areaResize(rgb, { srcWidth: 2, srcHeight: 1, dstWidth: 1, dstHeight: 1, channels: 3 })]).toEqual([
      255, 0, 15,
    ]);
  });

  it('reuses its buffers: resizeInto writes into the given output and gives equal results twice', () => {
    const r = createAreaResizer({ srcWidth: 640, srcHeight: 480, dstWidth: 112, dstHeight: 112, channels: 3 });
    const src = new Uint8Array(640 * 480 * 3);
    for (let i = 0; i < src.length; i++) src[i] = (i * 7919) % 251;
    const dst = new Uint8Array(112 * 112 * 3);
    const a = Uint8Array.from(r.resizeInto(src, dst));
    expect(r.resizeInto(src, dst)).toBe(dst);
    expect(dst).toEqual(a);
  });

  it('is bit-identical to the training script’s numpy area_resize on fractional down- and upscales', () => {
    // sha256 of area_resize(img, h, w) from examples/model-training/train_feature_extractor.py, with
    // img = ((i * 7919) % 251) for i in 0 … 60·80·3−1, reshaped to 60×80×3 (computed once with numpy).
    const expected: Record<string, string> = {
      '28x28': '40908c6c741b6106397055cde22f8d51a2f77bb0501a57b6b8766d39e3fbc108',
      '13x17': '1624a74a233c6cb66ef6fd8ff3294748fa39443f0a086dc156a22db51c1c2291',
      '60x80': '83da24a20cc9aff1c0d0122b276ffec091380ce9ebed0617608b24c001f04e89',
      '61x97': '5f77091ae6b331fa27cb4c50f32cf9bc3e53cadb08ee47e358be0cb848516095',
      '112x112': 'ccaee474b5b3fa1bc07e92887a035f023ef134e239a34e385cfe8407077bccab',
    };
    const img = new Uint8Array(60 * 80 * 3);
    for (let i = 0; i < img.length; i++) img[i] = (i * 7919) % 251;
    for (const [size, sha] of Object.entries(expected)) {
      const [h, w] = size.split('x').map(Number) as [number, number];
      const out = areaResize(img, { srcWidth: 80, srcHeight: 60, dstWidth: w, dstHeight: h, channels: 3 });
      expect(createHash('sha256').update(out).digest('hex'), size).toBe(sha);
    }
  });

  it('rejects wrong buffer sizes and non-positive dimensions with VALIDATION_FAILED', () => {
    const r = createAreaResizer({ srcWidth: 4, srcHeight: 4, dstWidth: 2, dstHeight: 2, channels: 1 });
    expect(() => r.resizeInto(new Uint8Array(15), new Uint8Array(4))).toThrow(
      /source has 15 bytes, expected 4×4×1 = 16/,
    );
    expect(() => r.resizeInto(new Uint8Array(16), new Uint8Array(3))).toThrow(/destination has 3 bytes/);
    expect(() => createAreaResizer({ srcWidth: 0, srcHeight: 4, dstWidth: 2, dstHeight: 2, channels: 1 })).toThrow(
      TinyMLOpsError,
    );
  });

  it.skipIf(!loadXnnpackAddon().addon)('gives the JavaScript bytes in C (the addon), camera sizes included', () => {
    let seed = 3;
    const rand = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const sizes: [number, number, number, number, number][] = [
      [640, 480, 224, 224, 3],
      [640, 480, 112, 112, 3],
      [641, 479, 223, 97, 3],
      [5, 7, 3, 2, 1],
      [30, 20, 28, 28, 4], // up one axis, down the other
      [100, 60, 33, 17, 1],
    ];
    // Means of exactly k − ½ (half the pixels k − 1, half k) over many pixel counts: the rounding edge.
    for (let w = 2; w <= 40; w += 2) for (const h of [1, 3, 7]) sizes.push([w, h, 1, 1, 1]);
    for (const [srcWidth, srcHeight, dstWidth, dstHeight, channels] of sizes) {
      const size: AreaResizeSize = { srcWidth, srcHeight, dstWidth, dstHeight, channels };
      const n = srcWidth * srcHeight * channels;
      // Random bytes, and a checkerboard of k−1, k whose block means sit exactly on k − ½.
      const noise = Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
      const checker = Uint8Array.from({ length: n }, (_, i) => 200 + (Math.floor(i / channels) % 2));
      const images = [noise, checker];
      for (const src of images) {
        const js = createAreaResizer(size, { native: false }).resizeInto(
          src,
          new Uint8Array(dstWidth * dstHeight * channels),
        );
        const c = createAreaResizer(size).resizeInto(src, new Uint8Array(js.length));
        expect(Buffer.compare(c, js), `${srcWidth}×${srcHeight} → ${dstWidth}×${dstHeight}×${channels}`).toBe(0);
      }
    }
  });
});
