import { DRIFT_DETECTOR_KINDS, TinyMLOpsError } from '@tinymlops/contracts';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import * as drift from './index.js';
import { DRIFT_DETECTORS, createDetector, restoreDetector, type DriftDetectorKind } from './registry.js';

const kinds = Object.keys(DRIFT_DETECTORS) as DriftDetectorKind[];

describe('DRIFT_DETECTORS', () => {
  it('builds every kind with its defaults, and the detector reports that kind', () => {
    for (const kind of kinds) {
      const d = createDetector(kind);
      expect(d.kind).toBe(kind);
      expect(d.options).toEqual(DRIFT_DETECTORS[kind].defaults);
      expect(JSON.parse(JSON.stringify(d.options))).toEqual(d.options);
    }
  });

  it('is frozen, entries and defaults included', () => {
    expect(Object.isFrozen(DRIFT_DETECTORS)).toBe(true);
    for (const kind of kinds) expect(Object.isFrozen(DRIFT_DETECTORS[kind].defaults)).toBe(true);
  });

  it('registers every detector class the package exports', () => {
    const classes = Object.values(drift).filter((v) => typeof v === 'function' && 'fromSnapshot' in v);
    expect(classes.length).toBe(kinds.length);
  });

  it('names the known kinds when asked for an unknown one', () => {
    expect(() => createDetector('page-hinkly' as DriftDetectorKind)).toThrow(
      /unknown drift detector kind "page-hinkly" \(known: page-hinkley, cusum, adwin/,
    );
    const err = (() => {
      try {
        restoreDetector({ kind: 'knn-distance', schemaVersion: 1, options: {}, state: {} });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(TinyMLOpsError);
    expect((err as TinyMLOpsError).code).toBe('STATE_CORRUPT');
  });

  it('rejects malformed snapshots with the offending field', () => {
    expect(() => restoreDetector({ kind: 'adwin', schemaVersion: 0, options: {}, state: {} })).toThrow(/schemaVersion/);
    const snap = createDetector('cusum').snapshot();
    expect(() => restoreDetector({ ...snap, state: { ...snap.state, up: 'lots' } })).toThrow(
      'cusum snapshot: state "up" must be a number',
    );
    expect(() => restoreDetector({ ...snap, schemaVersion: 2 })).toThrow(/expected kind "cusum" v1, got "cusum" v2/);
  });

  it('has exactly the kinds of the contracts table, with its input types', () => {
    expect(kinds).toEqual(Object.keys(DRIFT_DETECTOR_KINDS));
    for (const kind of kinds) expect(DRIFT_DETECTORS[kind].inputType).toBe(DRIFT_DETECTOR_KINDS[kind].input);
  });

  it('takes its defaults from the contracts schema, and every schema key is an option the detector keeps', () => {
    for (const kind of kinds) {
      const schema = DRIFT_DETECTOR_KINDS[kind].options as z.ZodObject;
      const keys = Object.keys(schema.shape).sort();
      expect(DRIFT_DETECTORS[kind].defaults).toEqual(schema.parse({}));
      expect(Object.keys(createDetector(kind).options).sort()).toEqual(keys);
      expect(Object.keys(createDetector(kind).snapshot().options).sort()).toEqual(keys);
    }
  });

  it('round-trips a non-default value of every option through a snapshot', () => {
    const changed: { [K in DriftDetectorKind]: Record<string, unknown> } = {
      'page-hinkley': { minInstances: 7, delta: 0.2, threshold: 9, alpha: 0.99, mode: 'up' },
      cusum: { minInstances: 9, k: 0.7, h: 6 },
      adwin: { delta: 0.01, clock: 8, maxBuckets: 7, minWindowLength: 3, gracePeriod: 20 },
      kswin: { alpha: 0.01, windowSize: 80, statSize: 20, seed: 3 },
      'ewma-chart': { lambda: 0.2, L: 3, minInstances: 50, direction: 'down' },
      ddm: { warmStart: 40, warningThreshold: 1.5, driftThreshold: 2.5 },
      eddm: { warmStart: 20, alpha: 0.9, beta: 0.8 },
      'hddm-a': { driftConfidence: 0.002, warningConfidence: 0.01, twoSidedTest: true },
      'hddm-w': { driftConfidence: 0.002, warningConfidence: 0.01, lambda: 0.1, twoSidedTest: true },
      'prediction-distribution': {
        method: 'ewma',
        windowSize: 20,
        smoothing: 0.1,
        threshold: 0.3,
        minSamples: 40,
        reference: [1, 1],
        labels: ['a', 'b'],
        maxClasses: 4,
        relearn: false,
      },
      'feature-distribution': {
        referenceSize: 50,
        windowSize: 20,
        components: 2,
        alpha: 0.01,
        correction: 'bonferroni',
        stride: 5,
        seed: 3,
      },
      mmd: { referenceSize: 40, windowSize: 10, alpha: 0.01, permutations: 199, bandwidth: 2, seed: 3 },
      'neighbour-diversity': { maxMismatched: 2, windowSize: 30, minInstances: 100, delta: 0.01, twoSided: false },
      'knn-distance': {
        referenceMean: 5,
        referenceStd: 2,
        warmUpFrames: 20,
        deltaSigma: 0.5,
        lambdaSigma: 6,
        exitFraction: 0.4,
        exitFrames: 10,
        cooldownFrames: 5,
        minConfidence: 0.5,
        knownClasses: ['a'],
        referenceUpdateRate: 0.01,
        sceneChange: 0.5,
        perClass: false,
        classScales: { a: { mean: 0.5, std: 1.2 } },
      },
      'image-statistics': {
        warmup: 10,
        maxReference: 50,
        threshold: 8,
        darkThreshold: 9,
        grainThreshold: 7,
        sharpnessThreshold: 5,
        minSpread: 2,
        maxPixels: 1024,
      },
    };
    for (const kind of kinds) {
      const keys = Object.keys(DRIFT_DETECTORS[kind].defaults).sort();
      expect(Object.keys(changed[kind]).sort(), kind).toEqual(keys);
      const d = createDetector(kind, changed[kind] as never);
      const defaults = DRIFT_DETECTORS[kind].defaults as Record<string, unknown>;
      const options = d.options as Record<string, unknown>;
      for (const key of keys) expect(options[key], `${kind}.${key}`).not.toEqual(defaults[key]);
      expect(restoreDetector(JSON.parse(JSON.stringify(d.snapshot()))).snapshot().options).toEqual(d.options);
    }
  });

  it('names a misspelt option, for every kind', () => {
    for (const kind of kinds) {
      expect(() => createDetector(kind, { treshold: 1 } as never)).toThrow(/unknown option "treshold" \(known: /);
    }
    expect(() => createDetector('knn-distance', { lambda: 1 } as never)).toThrow(
      'KnnDistanceMonitor: unknown option "lambda" (known: referenceMean,',
    );
  });

  it('validates options through the registry too', () => {
    expect(() => createDetector('adwin', { delta: 2 })).toThrow(/ADWIN: option "delta"/);
  });
});
