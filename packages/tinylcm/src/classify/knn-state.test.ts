import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceArtifact } from '../internal/test-paths.js';
import { describe, expect, it } from 'vitest';
import { knnFromPrototypeState } from './knn-state.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const scenario2 = referenceArtifact('scenario2') ?? path.join(root, 'absent-shared/scenario2');
const stateFile = path.join(scenario2, 'knn_initial_state_objects.json');

describe('knnFromPrototypeState', () => {
  it('imports a bare state and rejects a malformed one', () => {
    const knn = knnFromPrototypeState(
      {
        k: 1,
        distance_metric: 'manhattan',
        X_train: [
          [0, 0],
          [3, 4],
        ],
        y_train: ['a', 'b'],
        timestamps: [1, 2],
      },
      { prototypeDistanceScaling: false },
    );
    expect(knn).toMatchObject({ k: 1, metric: 'manhattan', dim: 2, size: 2 });
    expect(knn.predict(Float32Array.of(3, 3)).label).toBe('b');
    expect(() => knnFromPrototypeState({ X_train: [[1]], y_train: [] }, { prototypeDistanceScaling: false })).toThrow(
      /equal length/,
    );
  });

  describe.skipIf(!existsSync(stateFile))('the scenario 2 state file', () => {
    const json: unknown = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : {};
    const rows = ((json as { classifier?: { X_train?: number[][] } }).classifier?.X_train ?? []).map((r) =>
      Float32Array.from(r),
    );
    const stats = existsSync(stateFile)
      ? (JSON.parse(readFileSync(path.join(scenario2, 'knn_reference_stats.json'), 'utf8')) as { min_distance: number })
      : { min_distance: 0 };

    it('loads 200 samples of 4 classes in 256 dimensions with k = 5', () => {
      const knn = knnFromPrototypeState(json, { prototypeDistanceScaling: true });
      expect(knn).toMatchObject({ size: 200, dim: 256, k: 5, metric: 'euclidean' });
      expect(knn.classes).toEqual(['leaf', 'lego', 'negative', 'stone']);
    });

    it('reproduces the prototype distance unit of knn_reference_stats.json with prototypeDistanceScaling', () => {
      const knn = knnFromPrototypeState(json, { prototypeDistanceScaling: true });
      const means = rows.map((r) => knn.predict(r).meanDistance);
      // The reference set's smallest 5-NN mean distance belongs to a stored sample: it must match exactly.
      expect(Math.min(...means)).toBeCloseTo(stats.min_distance, 4);
      expect(knn.predict(rows[0] as Float32Array).neighbours[0]?.distance).toBeCloseTo(0.01, 6);
    });

    it('gives textbook Euclidean distances without it', () => {
      const knn = knnFromPrototypeState(json, { prototypeDistanceScaling: false });
      const min = Math.min(...rows.map((r) => knn.predict(r).meanDistance));
      expect(min).toBeCloseTo((stats.min_distance - 0.01) / 1.6, 4);
    });
  });
});
