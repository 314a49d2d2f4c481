import { generateKeyPairSync } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FASHION_MNIST_CLASSES, readFashionMnist, type ImageSet } from '@tinymlops/testkit';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KnnClassifier } from '../../classify/knn-classifier.js';
import { loadBundlePipeline, type BundlePipeline } from '../bundle-pipeline.js';
import { loadBundle } from '../load-bundle.js';
import { buildBundle, type BuildReport } from './build-bundle.js';

const MODEL_DIR = fileURLToPath(new URL('../../../../../models/fashion-mnv2', import.meta.url));
const hasModel = existsSync(path.join(MODEL_DIR, 'model.tflite'));
if (!hasModel) console.warn(`bundle builder round trip SKIPPED: ${MODEL_DIR}/model.tflite not found`);

/** Examples: the first 100 sample images of every class; evaluation: the other 100 of the 8 known classes. */
const PER_CLASS = 100;
const frame = (set: ImageSet, i: number) => ({
  data: set.images.subarray(i * 784, (i + 1) * 784),
  width: 28,
  height: 28,
  channels: 1,
});

async function writeClassFolders(set: ImageSet, dir: string): Promise<number[]> {
  const seen = new Map<number, number>();
  const evaluation: number[] = [];
  for (let i = 0; i < set.count; i++) {
    const c = set.labels[i] as number;
    const n = seen.get(c) ?? 0;
    seen.set(c, n + 1);
    if (n >= PER_CLASS) {
      if (c < 8) evaluation.push(i);
      continue;
    }
    const folder = path.join(dir, encodeURIComponent(FASHION_MNIST_CLASSES[c] as string));
    await mkdir(folder, { recursive: true });
    const png = await sharp(Buffer.from(frame(set, i).data), { raw: { width: 28, height: 28, channels: 1 } })
      .png()
      .toBuffer();
    await writeFile(path.join(folder, `${i}.png`), png);
  }
  return evaluation;
}

async function accuracy(dp: BundlePipeline, set: ImageSet, indices: number[]): Promise<number> {
  let ok = 0;
  for (const i of indices) {
    const r = await dp.pipeline.process(frame(set, i));
    if (r.label === FASHION_MNIST_CLASSES[set.labels[i] as number]) ok++;
  }
  return ok / indices.length;
}

describe.skipIf(!hasModel)('bundle builder round trip on the committed dataset sample', () => {
  let dir: string;
  let set: ImageSet;
  let evaluation: number[];
  let report: BuildReport;
  const keys = generateKeyPairSync('ed25519');

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'bundle-build-'));
    set = await readFashionMnist();
    evaluation = await writeClassFolders(set, path.join(dir, 'examples'));
    ({ report } = await buildBundle({
      modelFile: path.join(MODEL_DIR, 'model.tflite'),
      ...(existsSync(path.join(MODEL_DIR, 'model.onnx')) ? { onnxFile: path.join(MODEL_DIR, 'model.onnx') } : {}),
      labelsFile: path.join(MODEL_DIR, 'labels.txt'),
      examplesDir: path.join(dir, 'examples'),
      outDir: path.join(dir, 'bundle'),
      id: 'fashion-built',
      version: '2.0.0',
      sign: { privateKey: keys.privateKey, keyId: 'test-release' },
    }));
  }, 600_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads the preprocessing from the model and writes every part of a bundle, signed', async () => {
    const reference = JSON.parse(await readFile(path.join(MODEL_DIR, 'bundle.json'), 'utf8'));
    const publicPem = keys.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const b = await loadBundle(path.join(dir, 'bundle'), {
      trustedKeys: { 'test-release': publicPem },
      requireSignature: true,
    });
    expect(b.signatureVerified).toBe(true);
    expect(b.manifest.input).toEqual(reference.input);
    expect(b.manifest.model).toEqual(reference.model); // model.tflite, and its ONNX twin when the model has one
    expect(b.manifest.featureTensor).toEqual(reference.featureTensor);
    expect(b.manifest.labels).toEqual(reference.labels);
    expect(b.manifest.heldOutLabels).toEqual(['ankle boot', 'bag']);
    expect(b.transform).toMatchObject({ inputDim: 1280, outputDim: 256 });
    expect(b.knnState).toMatchObject({ count: 200, dim: 256, k: 5, metric: 'euclidean' });
    expect(report.split).toMatchObject({ knn: 200, holdout: 160, fit: 640, unknown: 200 });
    // The unseen classes sit farther from the KNN state than held-out images of known classes.
    expect(b.detectors?.heldOutKnnDistance?.mean).toBeGreaterThan(b.detectors?.knnDistance.mean ?? Infinity);
  });

  it('loads on a device and is within one point of models/fashion-mnv2 on images it was not built from', async () => {
    const built = await loadBundlePipeline(path.join(dir, 'bundle'));
    const committed = await loadBundlePipeline(MODEL_DIR);
    try {
      const builtAcc = await accuracy(built, set, evaluation);
      const committedAcc = await accuracy(committed, set, evaluation);
      // Same KNN images, the committed bundle's own transform: isolates what the builder fitted.
      const sameKnn = new KnnClassifier({ dim: 256, k: 5, capacity: 200 });
      for (const source of report.knnSamples) {
        const i = Number(path.basename(source, '.png'));
        const r = await committed.pipeline.process(frame(set, i));
        sameKnn.add(Float32Array.from(r.features), FASHION_MNIST_CLASSES[set.labels[i] as number] as string, 0);
      }
      let ok = 0;
      for (const i of evaluation) {
        const r = await committed.pipeline.process(frame(set, i));
        if (sameKnn.predict(r.features).label === FASHION_MNIST_CLASSES[set.labels[i] as number]) ok++;
      }
      const committedTransformAcc = ok / evaluation.length;
      console.log(JSON.stringify({ builtAcc, committedAcc, committedTransformAcc, n: evaluation.length }));
      expect(evaluation).toHaveLength(800);
      expect(Math.abs(builtAcc - committedTransformAcc)).toBeLessThanOrEqual(0.01);
      expect(builtAcc).toBeGreaterThanOrEqual(committedAcc - 0.01);
    } finally {
      built.dispose();
      committed.dispose();
    }
  });
});
