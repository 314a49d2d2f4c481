import {
  DRIFT_DETECTOR_KINDS,
  LABELLED_DRIFT_KINDS,
  TinyMLOpsError,
  type DetectorsReferenceDocument,
  type DriftDetectorKind,
} from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { Prng } from '../random/prng.js';
import { buildDetectorSet, detectorSetMembers } from './detector-set-config.js';
import { DEVICE_DEFAULT_DETECTORS } from './device-default-detectors.js';
import type { KnnDistanceMonitor } from './knn-distance-monitor.js';
import type { PredictionDistribution } from './prediction-distribution.js';

const reference = { schemaVersion: 1, knnDistance: { mean: 10, std: 2, samples: 500 } } as DetectorsReferenceDocument;
const labels = ['coat', 'shirt', 'bag'];

function thrown(f: () => unknown): TinyMLOpsError {
  try {
    f();
  } catch (e) {
    return e as TinyMLOpsError;
  }
  throw new Error('expected an error');
}

describe('detectorSetMembers', () => {
  it('refuses a misspelt option with VALIDATION_FAILED naming the entry and the key', () => {
    const e = thrown(() =>
      detectorSetMembers([{ kind: 'cusum' }, { kind: 'knn-distance', options: { lambda: 1 } } as never]),
    );
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toMatch(/^invalid drift detectors: 1\.options: unknown option "lambda" \(known: referenceMean/);
    expect(e.details?.[0]?.path).toBe('1.options');
  });

  it('refuses kinds that need labels', () => {
    for (const kind of LABELLED_DRIFT_KINDS)
      expect(() => detectorSetMembers([{ kind }])).toThrow(`0.kind: "${kind}" watches an error stream`);
  });

  it('gives knn-distance the bundle reference and labels unless the entry sets its own', () => {
    const [fromBundle, own] = detectorSetMembers(
      [
        { kind: 'knn-distance' },
        { kind: 'knn-distance', name: 'own', options: { referenceMean: 3, referenceStd: 1, knownClasses: ['x'] } },
      ],
      { reference, labels },
    );
    expect((fromBundle!.detector as KnnDistanceMonitor).options).toMatchObject({
      referenceMean: 10,
      referenceStd: 2,
      knownClasses: labels,
    });
    expect((own!.detector as KnnDistanceMonitor).options).toMatchObject({ referenceMean: 3, knownClasses: ['x'] });
  });

  it('gives prediction-distribution the model labels, so it can count predicted labels', () => {
    const [m] = detectorSetMembers([{ kind: 'prediction-distribution' }], { labels });
    expect((m!.detector as PredictionDistribution).options.labels).toEqual(labels);
  });
});

describe('buildDetectorSet', () => {
  it('runs the device defaults when no detectors are named', () => {
    const set = buildDetectorSet({}, { reference });
    expect(set.members.map((m) => m.kind)).toEqual(DEVICE_DEFAULT_DETECTORS.map((d) => d.kind));
  });

  it('merges knnDistance options into the knn-distance entries, or drops them', () => {
    const merged = buildDetectorSet({ knnDistance: { lambdaSigma: 12 } }, { reference });
    expect((merged.members[0]!.detector as KnnDistanceMonitor).options.lambdaSigma).toBe(12);
    expect(buildDetectorSet({ knnDistance: false }).members).toEqual([]);
  });

  it('runs every label-free kind from config, each fed its own input', () => {
    const free = (Object.keys(DRIFT_DETECTOR_KINDS) as DriftDetectorKind[]).filter(
      (k) => !LABELLED_DRIFT_KINDS.includes(k),
    );
    const small = { mmd: { referenceSize: 40, windowSize: 10, permutations: 999 } } as Record<string, object>;
    const set = buildDetectorSet(
      { detectors: free.map((kind) => ({ kind, options: small[kind] ?? {} })) },
      { reference, labels },
    );
    const rng = new Prng(4);
    for (let i = 0; i < 600; i++) {
      const shifted = i >= 400;
      const features = Float32Array.from({ length: 6 }, () => rng.gaussian() + (shifted ? 3 : 0));
      const label = labels[shifted ? 2 : rng.nextInt(2)]!;
      const neighbours = Array.from({ length: 5 }, () => ({ label: shifted ? labels[rng.nextInt(3)]! : label }));
      set.update(
        {
          label,
          confidence: shifted ? 0.5 : 0.9,
          meanDistance: 10 + 2 * rng.gaussian() + (shifted ? 8 : 0),
          neighbours,
          features,
        },
        i,
      );
    }
    expect(set.members.map((m) => m.kind)).toEqual(free);
    for (const m of set.members) expect(m.detector.ignoredCount, m.name).toBe(0);
    expect(set.episode).toBeGreaterThan(0);
  });
});
