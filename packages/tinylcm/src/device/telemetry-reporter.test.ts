import { describe, expect, it } from 'vitest';
import { THUMBNAIL_MAX_SIDE, thumbnail } from './telemetry-reporter.js';

describe('thumbnail', () => {
  it('shrinks a camera-sized frame to the thumbnail size, keeping its aspect ratio and content', () => {
    const width = 640;
    const height = 480;
    const data = new Uint8Array(width * height * 3);
    // Left half dark, right half bright: the thumbnail must keep that split.
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data.fill(x < width / 2 ? 10 : 240, (y * width + x) * 3, (y * width + x) * 3 + 3);
    const t = thumbnail({ data, width, height, channels: 3 });
    expect([t.width, t.height, t.channels]).toEqual([THUMBNAIL_MAX_SIDE, 72, 3]);
    expect(t.data.length).toBe(96 * 72 * 3);
    expect(t.data[0]).toBe(10);
    expect(t.data[(96 * 10 + 90) * 3]).toBe(240);
  });

  it('copies a small frame unchanged, so a reused source buffer cannot alter it', () => {
    const data = Uint8Array.from({ length: 28 * 28 }, (_, i) => i % 256);
    const t = thumbnail({ data, width: 28, height: 28, channels: 1 });
    data.fill(0);
    expect(t.width).toBe(28);
    expect(t.data[5]).toBe(5);
  });
});
