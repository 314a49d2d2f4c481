import { createHash, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { TinyMLOpsError, type BundleManifest } from '@tinymlops/contracts';
import { KnnClassifier } from '../../classify/knn-classifier.js';
import { FeatureTransform } from '../../features/feature-transform.js';
import { loadBundle } from '../load-bundle.js';
import { splitExamples, type ExampleSplit, type SplitOptions } from './class-split.js';
import { readExampleSet, readLabelsFile, type ExampleImage } from './example-set.js';
import { createFeatureExtractor, type BuildProgress } from './extract-features.js';
import { inspectTfliteModel, type ModelInspectionOptions } from './model-inspection.js';
import { measureReference } from './detector-reference.js';
import {
  checkOutputFolder,
  finishManifest,
  jsonFile,
  writeBundleDirectory,
  type BundleFile,
} from './write-bundle-directory.js';

/** Options of {@link buildBundle}; everything but the files and the id has a default. */
export interface BuildBundleOptions extends Partial<SplitOptions>, Omit<ModelInspectionOptions, 'file'> {
  modelFile: string;
  /** An ONNX export of the same model, shipped as its twin (`model.onnx`, `model.twins`) for the onnxruntime backend. */
  onnxFile?: string;
  labelsFile: string;
  examplesDir: string;
  /** For IDX examples: the class-names file (default `<examplesDir>/classes.txt`). */
  classNamesFile?: string;
  outDir: string;
  id: string;
  version?: string;
  description?: string;
  /** PCA components after the scaler (default min(256, feature dim)); 0: scaler only; `false`: no transform. */
  pca?: number | false;
  k?: number;
  sign?: { privateKey: KeyObject; keyId: string };
  overwrite?: boolean;
  now?: () => Date;
  onProgress?: (p: BuildProgress) => void;
}

/** What a build did, also written to the bundle as `build-report.json`. */
export interface BuildReport {
  schemaVersion: 1;
  modelSha256: string;
  examples: { layout: string; images: number; skipped: number; classes: string[] };
  split: { fit: number; knn: number; holdout: number; unknown: number; unknownClasses: string[] };
  /** Where each KNN sample came from (file path or `<idx file>#<index>`), in knn-state.json's row order. */
  knnSamples: string[];
  options: Required<SplitOptions> & { pca: number | false; k: number };
  /** KNN accuracy on the held-out images of the known classes (distance-weighted vote). */
  holdoutAccuracy: number | null;
  featureSeconds: number;
}

const DEFAULTS: Required<SplitOptions> = {
  knnPerClass: 25,
  fitPerClass: 400,
  holdout: 0.2,
  holdoutPerClass: 125,
  seed: 0,
};

/**
 * Builds a complete model bundle from a `.tflite` model, its labels and a folder of labelled
 * example images: preprocessing read from the model's input tensor, a StandardScaler + PCA fitted
 * on the examples, a class-balanced KNN state, detector reference statistics from held-out images,
 * `bundle.json` with every file's sha256 (and an ed25519 signature when a key is given). The
 * result is loaded back with `loadBundle` before this returns.
 * @example
 * const { manifest, report } = await buildBundle({
 *   modelFile: 'models/fashion-mnv2/model.tflite', labelsFile: 'models/fashion-mnv2/labels.txt',
 *   examplesDir: 'datasets/fashion-mnist', outDir: 'build/fashion', id: 'fashion-mnv2',
 * });
 */
export async function buildBundle(o: BuildBundleOptions): Promise<{ manifest: BundleManifest; report: BuildReport }> {
  const split$ = { ...DEFAULTS, ...definedSplit(o) };
  await checkOutputFolder(o.outDir, o.overwrite ?? false);
  const modelBytes = await readInput(o.modelFile, 'model');
  const model = inspectTfliteModel(modelBytes, { ...o, file: o.modelFile });
  const labels = await readLabelsFile(o.labelsFile);
  const set = await readExampleSet(o.examplesDir, o.classNamesFile ? { classNames: o.classNamesFile } : {});
  const split = splitExamples(set, labels, split$);
  const fx = await createFeatureExtractor(modelBytes, {
    modelName: o.id,
    input: model.input,
    featureTensor: model.featureTensor.name,
    featureDim: model.featureTensor.dim,
  });
  const started = performance.now();
  let features: Map<ExampleImage, Float32Array>;
  try {
    const all = [...split.fit, ...split.holdout, ...split.unknown];
    const rows = await fx.extract(all, o.onProgress);
    features = new Map(all.map((img, i) => [img, rows[i] as Float32Array]));
  } finally {
    fx.dispose();
  }
  const featureSeconds = (performance.now() - started) / 1000;
  const pca = o.pca ?? Math.min(256, model.featureTensor.dim);
  const transform = fitTransform(split, features, pca, o.onProgress);
  const project = (img: ExampleImage) => {
    const raw = features.get(img) as Float32Array;
    return transform ? transform.apply(raw) : raw;
  };
  const now = (o.now ?? (() => new Date()))();
  const knn = new KnnClassifier({
    dim: transform?.outputDim ?? model.featureTensor.dim,
    k: o.k ?? 5,
    capacity: split.knn.length,
  });
  for (const img of split.knn) knn.add(project(img), img.className, now.getTime());
  const { detectors, accuracy } = measureReference(knn, split, project, o.onProgress);
  const report: BuildReport = {
    schemaVersion: 1,
    modelSha256: createHash('sha256').update(modelBytes).digest('hex'),
    examples: { layout: set.layout, images: set.images.length, skipped: set.skipped.length, classes: set.classes },
    split: {
      fit: split.fit.length,
      knn: split.knn.length,
      holdout: split.holdout.length,
      unknown: split.unknown.length,
      unknownClasses: split.unknownClasses,
    },
    knnSamples: split.knn.map((img) => img.source),
    options: { ...split$, pca, k: knn.k },
    holdoutAccuracy: accuracy,
    featureSeconds,
  };
  const files: BundleFile[] = [
    { path: 'model.tflite', bytes: modelBytes, mediaType: 'application/vnd.tflite' },
    ...(o.onnxFile
      ? [
          {
            path: 'model.onnx',
            bytes: await readInput(o.onnxFile, 'ONNX model'),
            mediaType: 'application/onnx',
          },
        ]
      : []),
    { path: 'labels.txt', bytes: Buffer.from(`${labels.join('\n')}\n`), mediaType: 'text/plain' },
    ...(transform ? [jsonFile('transform.json', transform.toDocument())] : []),
    jsonFile('knn-state.json', knn.snapshotState()),
    jsonFile('detectors.json', detectors),
    jsonFile('build-report.json', report),
  ];
  const manifest = finishManifest(
    {
      schemaVersion: 1,
      id: o.id,
      version: o.version ?? '1.0.0',
      createdAt: now.toISOString(),
      ...(o.description ? { description: o.description } : {}),
      model: {
        path: 'model.tflite',
        format: 'tflite',
        ...(o.onnxFile ? { twins: [{ path: 'model.onnx', format: 'onnx' as const }] } : {}),
      },
      input: model.input,
      featureTensor: model.featureTensor,
      labels,
      ...(split.unknownClasses.length ? { heldOutLabels: split.unknownClasses } : {}),
      ...(transform ? { transform: 'transform.json' } : {}),
      knnState: 'knn-state.json',
      detectors: 'detectors.json',
    },
    files,
    o.sign,
  );
  await writeBundleDirectory(o.outDir, manifest, files, { overwrite: o.overwrite ?? false });
  await loadBundle(o.outDir);
  return { manifest, report };
}

function definedSplit(o: Partial<SplitOptions>): Partial<SplitOptions> {
  const keys = ['knnPerClass', 'fitPerClass', 'holdout', 'holdoutPerClass', 'seed'] as const;
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}

async function readInput(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `${file}: cannot read the ${what} file (${(e as NodeJS.ErrnoException).code ?? e})`,
    );
  }
}

function fitTransform(
  split: ExampleSplit,
  features: Map<ExampleImage, Float32Array>,
  pca: number | false,
  onProgress?: (p: BuildProgress) => void,
): FeatureTransform | undefined {
  if (pca === false) return undefined;
  const rows = split.fit.map((img) => features.get(img) as Float32Array);
  const dim = rows[0]?.length ?? 0;
  if (pca > 0 && pca < dim && pca > rows.length) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `--pca ${pca} needs at least ${pca} fit images; there are ${rows.length}: add examples, raise --fit-per-class or lower --pca`,
    );
  }
  onProgress?.({ stage: 'transform', done: 0, total: 1 });
  const t = FeatureTransform.fit(rows, pca > 0 && pca < dim ? { outputDim: pca } : {});
  onProgress?.({ stage: 'transform', done: 1, total: 1 });
  return t;
}
