import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Fashion-MNIST class names by label index (Zalando's order). */
export const FASHION_MNIST_CLASSES = [
  't-shirt/top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
] as const;

/** The two classes the project's model never saw in training: the "unknown objects" of drift scenarios. */
export const HELD_OUT_CLASSES = [8, 9] as const;

/** A set of 28×28 grayscale images with labels, stored flat (`images[i*784 … (i+1)*784)`). */
export interface ImageSet {
  readonly count: number;
  readonly width: number;
  readonly height: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** The repository's committed sample: `datasets/fashion-mnist` (200 test images per class, MIT). */
export const FASHION_MNIST_SAMPLE_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../../datasets/fashion-mnist',
);

function readIdx(buf: Buffer, expectedMagic: number, what: string): { dims: number[]; data: Uint8Array } {
  const magic = buf.readUInt32BE(0);
  if (magic !== expectedMagic) throw new Error(`${what}: not an IDX file (magic 0x${magic.toString(16)})`);
  const ndims = magic & 0xff;
  const dims = Array.from({ length: ndims }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * ndims;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length - offset !== size)
    throw new Error(`${what}: expected ${size} bytes of data, found ${buf.length - offset}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + offset, size) };
}

/**
 * Reads a gzipped IDX image/label pair (the Fashion-MNIST / MNIST format).
 * @example
 * const set = await readFashionMnist(); // the committed sample
 * const first = set.images.subarray(0, 784); // label set.labels[0]
 */
export async function readFashionMnist(
  dir = FASHION_MNIST_SAMPLE_DIR,
  files = { images: 'sample-images-idx3-ubyte.gz', labels: 'sample-labels-idx1-ubyte.gz' },
): Promise<ImageSet> {
  const images = readIdx(gunzipSync(await readFile(path.join(dir, files.images))), 0x00000803, files.images);
  const labels = readIdx(gunzipSync(await readFile(path.join(dir, files.labels))), 0x00000801, files.labels);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new Error(`${files.labels}: ${labels.dims[0]} labels for ${count} images`);
  return { count, width, height, images: images.data, labels: labels.data };
}

/** True when the committed dataset sample is present (it always is in a full checkout). */
export function hasFashionMnistSample(dir = FASHION_MNIST_SAMPLE_DIR): boolean {
  return existsSync(path.join(dir, 'sample-images-idx3-ubyte.gz'));
}
