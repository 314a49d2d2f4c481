import type { DetectorsReferenceDocument, DistanceMetric, ReferenceStats } from '@tinymlops/contracts';
import type { KnnClassifier } from '../../classify/knn-classifier.js';
import type { ExampleSplit } from './class-split.js';
import type { ExampleImage } from './example-set.js';
import type { BuildProgress } from './extract-features.js';

/**
 * Summary statistics of a sample of distances, as `detectors.json` stores them: mean, population
 * standard deviation (ddof 0) and the 50/95/99th percentiles with linear interpolation (numpy's
 * default), so the figures match the Python tooling's.
 * @example
 * referenceStats([1, 2, 3, 4], 5, 'euclidean'); // { k: 5, metric: 'euclidean', mean: 2.5, std: 1.118…, p50: 2.5, … }
 */
export function referenceStats(values: readonly number[], k: number, metric: DistanceMetric): ReferenceStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => {
    const pos = (n - 1) * q;
    const lo = Math.floor(pos);
    const a = sorted[lo] as number;
    return a + (pos - lo) * ((sorted[Math.min(lo + 1, n - 1)] as number) - a);
  };
  return { k, metric, mean, std, p50: at(0.5), p95: at(0.95), p99: at(0.99), samples: n };
}

/**
 * The detector reference of a bundle: mean k-nearest distances of the held-out images of known
 * classes (`knnDistance`) and of the classes not in the labels (`heldOutKnnDistance`), measured with
 * the bundle's own KNN exactly as a device will, and the KNN accuracy on the known held-out images.
 * Without held-out images the KNN samples themselves are measured (each finds itself at distance 0,
 * so the reference is optimistic: hold some images out).
 * @example
 * const { detectors, accuracy } = measureReference(knn, split, (img) => transform.apply(features.get(img)!));
 */
export function measureReference(
  knn: KnnClassifier,
  split: ExampleSplit,
  project: (img: ExampleImage) => Float32Array,
  onProgress?: (p: BuildProgress) => void,
): { detectors: DetectorsReferenceDocument; accuracy: number | null } {
  const total = split.holdout.length + split.unknown.length;
  let done = 0;
  const distances = (imgs: ExampleImage[], hit?: (label: string | null, img: ExampleImage) => void) =>
    imgs.map((img) => {
      const p = knn.predict(project(img));
      hit?.(p.label, img);
      onProgress?.({ stage: 'reference', done: ++done, total });
      return p.meanDistance;
    });
  let correct = 0;
  const known = distances(split.holdout, (label, img) => void (label === img.className && correct++));
  const unknown = distances(split.unknown);
  const source = known.length > 0 ? known : distances(split.knn);
  return {
    detectors: {
      schemaVersion: 1,
      knnDistance: referenceStats(source, knn.k, knn.metric),
      ...(unknown.length ? { heldOutKnnDistance: referenceStats(unknown, knn.k, knn.metric) } : {}),
    },
    accuracy: known.length ? correct / known.length : null,
  };
}
