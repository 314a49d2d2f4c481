import type { RawFrame } from '../features/preprocess.js';

/**
 * Encodes a raw frame as PNG (lossless, so a person validating a drift sample sees exactly what
 * the model saw before resizing).
 * @example
 * const png = await encodePng({ data: gray, width: 28, height: 28, channels: 1 });
 */
export async function encodePng(frame: RawFrame): Promise<Uint8Array> {
  // Imported on first use (libvips costs ~30 MB RSS; most devices never encode a frame).
  const { default: sharp } = await import('sharp');
  const buf = await sharp(frame.data, {
    raw: { width: frame.width, height: frame.height, channels: frame.channels as 1 | 2 | 3 | 4 },
  })
    .png({ compressionLevel: 6 })
    .toBuffer();
  return new Uint8Array(buf);
}
