import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseIdx } from '../bundle/builder/idx-file.js';

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
  const images = parseIdx(await readFile(path.join(dir, files.images)), files.images);
  const labels = parseIdx(await readFile(path.join(dir, files.labels)), files.labels);
  if (images.dims.length !== 3) throw new Error(`${files.images}: expected 3 dimensions, found ${images.dims.length}`);
  const [count, height, width] = images.dims as [number, number, number];
  if (labels.dims[0] !== count) throw new Error(`${files.labels}: ${labels.dims[0]} labels for ${count} images`);
  return { count, width, height, images: images.data, labels: labels.data };
}

/** True when the committed dataset sample is present (it always is in a full checkout). */
export function hasFashionMnistSample(dir = FASHION_MNIST_SAMPLE_DIR): boolean {
  return existsSync(path.join(dir, 'sample-images-idx3-ubyte.gz'));
}
