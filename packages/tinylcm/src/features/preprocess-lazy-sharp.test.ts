import { describe, expect, it, vi } from 'vitest';

const loaded = vi.hoisted(() => ({ sharp: false }));
vi.mock('sharp', () => {
  loaded.sharp = true;
  return { default: () => undefined };
});

describe('the raw-frame data path does not load sharp', () => {
  it('builds the bundle pipeline and preprocesses a raw frame without importing libvips (~30 MB RSS)', async () => {
    const { createPreprocessor } = await import('./preprocess.js');
    await import('../bundle/bundle-pipeline.js');
    await import('../device/frame-png.js');
    const pre = createPreprocessor({
      name: 'image',
      shape: [1, 4, 4, 3],
      dtype: 'uint8',
      colorOrder: 'rgb',
      normalization: { scale: 1, offset: 0 },
      resize: { method: 'area', width: 4, height: 4 },
      grayscaleToRgb: true,
    });
    expect(pre.process({ data: new Uint8Array(64).fill(7), width: 8, height: 8, channels: 1 })[0]).toBe(7);
    expect(loaded.sharp).toBe(false);
  });
});
