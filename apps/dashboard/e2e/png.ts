import { crc32, deflateSync } from 'node:zlib';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * Encodes an 8-bit grayscale PNG from a pixel function (0–255), for seeding real images.
 * @example
 * const png = grayPng(28, 28, (x, y) => (x + y) * 4);
 */
export function grayPng(width: number, height: number, pixel: (x: number, y: number) => number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const raw = Buffer.alloc((width + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width + 1)] = 0;
    for (let x = 0; x < width; x++) raw[y * (width + 1) + 1 + x] = Math.max(0, Math.min(255, Math.round(pixel(x, y))));
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([sig, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** A 28×28 garment-like silhouette: a soft ellipse (shape 0) or a shoe-like wedge (shape 1), seeded by `seed`. */
export function garmentPng(shape: number, seed: number): Buffer {
  const r = (k: number) => (((Math.sin(seed * 12.9898 + k * 78.233) * 43758.5453) % 1) + 1) % 1;
  const cx = 14 + (r(1) - 0.5) * 4;
  const cy = 14 + (r(2) - 0.5) * 4;
  return grayPng(28, 28, (x, y) => {
    const noise = r(x * 31 + y) * 30;
    if (shape === 0) {
      const d = ((x - cx) / 9) ** 2 + ((y - cy) / 12) ** 2;
      return d < 1 ? 200 - d * 90 + noise : noise / 3;
    }
    const inside = y > 12 && y < 22 && x > 3 && x < 25 && y > 22 - (x / 25) * 12;
    return inside ? 170 + noise : noise / 3;
  });
}
