/**
 * `npx tsx bench/drift-scene-change.ts [--images N]`: how far the transformed features move between
 * two sensor readings of one image (the jitter of bench/real-held-frames.ts) and between two
 * different images, in units of the bundle's reference mean neighbour distance: the scale of
 * `sceneChange` (docs/drift.md). Prints quantiles of both.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Prng, loadBundlePipeline, quantile } from '@tinymlops/tinylcm';
import { readFashionMnist } from '@tinymlops/testkit';
import { jittered } from './real-held-frames.js';
import { RECORDING_PIPELINE } from './real-streams.js';

const MODEL_DIR = fileURLToPath(new URL('../models/fashion-mnv2', import.meta.url));
const flag = process.argv.indexOf('--images');
const images = flag > 0 ? Number(process.argv[flag + 1]) : 200;
const { knnDistance } = JSON.parse(readFileSync(`${MODEL_DIR}/detectors.json`, 'utf8')) as {
  knnDistance: { mean: number };
};
const set = await readFashionMnist();
const dp = await loadBundlePipeline(MODEL_DIR, RECORDING_PIPELINE);
const rng = new Prng(11);
const size = set.width * set.height;
const image = (i: number) => set.images.slice(i * size, (i + 1) * size);
const features = async (pixels: Uint8Array) =>
  (await dp.pipeline.process({ data: pixels, width: set.width, height: set.height, channels: 1 })).features.slice();
const distance = (a: Float32Array, b: Float32Array) => Math.hypot(...a.map((x, i) => x - b[i]!));

const same: number[] = [];
const different: number[] = [];
for (let n = 0; n < images; n++) {
  const i = rng.nextInt(set.count);
  const first = await features(jittered(image(i), rng));
  same.push(distance(first, await features(jittered(image(i), rng))) / knnDistance.mean);
  const j = (i + 1 + rng.nextInt(set.count - 1)) % set.count;
  different.push(distance(first, await features(jittered(image(j), rng))) / knnDistance.mean);
}
dp.dispose();
const qs = [0.5, 0.9, 0.99];
const row = (xs: number[]) => qs.map((q) => quantile(xs, q).toFixed(2)).join(' / ');
const low = (xs: number[]) => [0.01, 0.05].map((q) => quantile(xs, q).toFixed(2)).join(' / ');
console.log(`${images} images, distances in reference mean neighbour distances (${knnDistance.mean.toFixed(2)})`);
console.log(`two readings of one image: median / p90 / p99 = ${row(same)}`);
console.log(`two different images: p1 / p5 = ${low(different)}, median ${quantile(different, 0.5).toFixed(2)}`);
const within = (xs: number[]) => (xs.filter((d) => d <= 0.8).length / xs.length).toFixed(3);
console.log(`within 0.8: ${within(same)} of one-image pairs, ${within(different)} of different-image pairs`);
