import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceArtifact } from '../internal/test-paths.js';
import { describe, expect, it } from 'vitest';
import { KnnClassifier } from '../classify/knn-classifier.js';
import { KnnDistanceMonitor, type KnnDistanceMonitorOptions } from './knn-distance-monitor.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const stateFile = referenceArtifact('scenario2/knn_initial_state_objects.json') ?? path.join(root, 'absent-shared');

/**
 * A stream built from the prototype's real 256-d features: one class is held out of the KNN (the
 * "unknown object"); the other classes are split into stored and queried halves. Stream = 50 known
 * frames, the held-out class's 50 frames (indices 50…99), then the remaining known frames.
 */
function heldOutStream(heldOut: string) {
  const { X_train: rows, y_train: labels } = (
    JSON.parse(readFileSync(stateFile, 'utf8')) as { classifier: { X_train: number[][]; y_train: string[] } }
  ).classifier;
  const knn = new KnnClassifier({ dim: 256, k: 5, prototypeDistanceScaling: true });
  const known: Float32Array[] = [];
  const novel: Float32Array[] = [];
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const label = labels[i] ?? '';
    const f = Float32Array.from(row);
    const n = seen.get(label) ?? 0;
    seen.set(label, n + 1);
    if (label === heldOut) novel.push(f);
    else if (n % 2 === 0) knn.add(f, label, i);
    else known.push(f);
  });
  const knownD = known.map((f) => knn.predict(f).meanDistance);
  const mean = knownD.reduce((a, b) => a + b, 0) / knownD.length;
  const std = Math.sqrt(knownD.reduce((a, b) => a + (b - mean) ** 2, 0) / knownD.length);
  const stream = [...knownD.slice(0, 50), ...novel.map((f) => knn.predict(f).meanDistance), ...knownD.slice(50)];
  return { stream, reference: { referenceMean: mean, referenceStd: std } };
}

function starts(stream: number[], options: KnnDistanceMonitorOptions): number[] {
  const mon = new KnnDistanceMonitor(options);
  return stream.flatMap((x, i) => (mon.update(x).lastEvent?.phase === 'start' ? [i] : []));
}

describe.skipIf(!existsSync(stateFile))('KnnDistanceMonitor on the prototype features', () => {
  for (const heldOut of ['negative', 'stone', 'lego', 'leaf']) {
    it(`starts one episode inside the held-out "${heldOut}" block with δ = 0.25σ, λ = 10σ`, () => {
      const { stream, reference } = heldOutStream(heldOut);
      const s = starts(stream, { ...reference, deltaSigma: 0.25, lambdaSigma: 10 });
      expect(s).toHaveLength(1);
      expect(s[0]).toBeGreaterThanOrEqual(50);
      expect(s[0]).toBeLessThan(100);
    });
  }

  it('raises nothing on these small (0.5–1σ) shifts with the defaults (δ = 0.75σ is above them)', () => {
    for (const heldOut of ['negative', 'leaf']) {
      const { stream, reference } = heldOutStream(heldOut);
      expect(starts(stream, reference)).toEqual([]);
    }
  });
});
