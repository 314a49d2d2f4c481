import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  DRIFT_DETECTOR_KINDS,
  DeviceDriftDetectorConfig,
  DeviceDriftDetectors,
  DriftDetectorConfig,
  LABELLED_DRIFT_KINDS,
  type DriftDetectorKind,
} from './drift-detector-config.js';
import { issuesToDetails } from './tinymlops-error.js';

const kinds = Object.keys(DRIFT_DETECTOR_KINDS) as DriftDetectorKind[];

/** `path: message` of every issue, or [] when the value parses. */
function problems(schema: z.ZodType, value: unknown): string[] {
  const r = schema.safeParse(value);
  return r.success ? [] : issuesToDetails(r.error.issues).map((d) => `${d.path}: ${d.message}`);
}

describe('DriftDetectorConfig', () => {
  it('accepts every kind with no options and fills in its defaults', () => {
    for (const kind of kinds) {
      const entry = DriftDetectorConfig.parse({ kind });
      expect(entry.options).toEqual(DRIFT_DETECTOR_KINDS[kind].options.parse({}));
      expect(Object.keys(entry.options).length).toBeGreaterThan(0);
    }
  });

  it('names a misspelt option and lists the real ones', () => {
    expect(problems(DriftDetectorConfig, { kind: 'knn-distance', options: { lambda: 1 } })).toEqual([
      'options: unknown option "lambda" (known: referenceMean, referenceStd, warmUpFrames, deltaSigma, lambdaSigma, exitFraction, exitFrames, cooldownFrames, minConfidence, knownClasses, referenceUpdateRate)',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'cusum', options: { h: 5, kk: 1, hh: 2 } })[0]).toMatch(
      /^options: unknown options "kk", "hh" \(known: minInstances, k, h\)$/,
    );
  });

  it('checks types and ranges, including ranges that depend on another option', () => {
    expect(problems(DriftDetectorConfig, { kind: 'page-hinkley', options: { threshold: -1 } })).toEqual([
      'options.threshold: must be a finite number > 0',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'adwin', options: { clock: 1.5 } })).toEqual([
      'options.clock: must be an integer >= 1',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'ewma-chart', options: { direction: 'left' } })).toEqual([
      'options.direction: must be one of "both", "up", "down"',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'kswin', options: { statSize: 60 } })).toEqual([
      'options.windowSize: must be an integer >= 120',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'knn-distance', options: { referenceMean: 3 } })).toEqual([
      'options.referenceMean: must be given together with referenceStd',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'mmd', options: { bandwidth: null } })).toEqual([]);
  });

  it('feeds real-valued detectors the distance or the confidence, and nothing else an input', () => {
    expect(DriftDetectorConfig.parse({ kind: 'cusum' })).toMatchObject({ input: 'meanDistance', quietFrames: 60 });
    expect(DriftDetectorConfig.parse({ kind: 'cusum', input: 'confidence' })).toMatchObject({ input: 'confidence' });
    expect(problems(DriftDetectorConfig, { kind: 'mmd', input: 'confidence' })).toEqual([
      '(root): Unrecognized key: "input"',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'knn-distance', input: 'confidence' })[0]).toMatch(/^input: /);
    expect(problems(DriftDetectorConfig, { kind: 'knn-distance', quietFrames: 5 })).toEqual([
      '(root): Unrecognized key: "quietFrames"',
    ]);
    expect(problems(DriftDetectorConfig, { kind: 'page-hinkly' })[0]).toMatch(/^kind: /);
  });

  it('exports to JSON Schema with the option bounds', () => {
    const json = JSON.stringify(z.toJSONSchema(DriftDetectorConfig, { io: 'input', unrepresentable: 'any' }));
    expect(json).toContain('"exclusiveMinimum":0');
    expect(json).toContain('"lambdaSigma"');
  });
});

describe('DeviceDriftDetectorConfig', () => {
  it('refuses every kind that needs labels, saying why and what to use instead', () => {
    expect(LABELLED_DRIFT_KINDS).toEqual(['ddm', 'eddm', 'hddm-a', 'hddm-w']);
    for (const kind of LABELLED_DRIFT_KINDS) {
      const [problem] = problems(DeviceDriftDetectorConfig, { kind });
      expect(problem).toMatch(new RegExp(`^kind: "${kind}" watches an error stream .* a device has no labels`));
      expect(problem).toContain('knn-distance');
    }
    expect(problems(DeviceDriftDetectorConfig, { kind: 'neighbour-diversity' })).toEqual([]);
  });

  it('needs distinct names in a list (the name defaults to the kind)', () => {
    expect(problems(DeviceDriftDetectors, [{ kind: 'cusum' }, { kind: 'cusum', input: 'confidence' }])).toEqual([
      '1.name: duplicate detector name "cusum": give each entry a distinct name',
    ]);
    const two = [{ kind: 'cusum' }, { kind: 'cusum', name: 'cusum (confidence)', input: 'confidence' }];
    expect(DeviceDriftDetectors.parse(two).map((d) => d.name ?? d.kind)).toEqual(['cusum', 'cusum (confidence)']);
  });
});
