import {
  DeviceDriftDetectors,
  parseOrThrow,
  type DetectorsReferenceDocument,
  type DeviceDriftDetectorConfig,
  type DriftDetectorConfigInput,
  type KnnDistanceMonitorOptions,
} from '@tinymlops/contracts';
import { DetectorSet, type DetectorSetMember } from './detector-set.js';
import { DEVICE_DEFAULT_DETECTORS } from './device-default-detectors.js';
import type { DriftDetector } from './drift-detector.js';
import { createDetector } from './registry.js';

/** What the model bundle tells the detectors. */
export interface DetectorSetContext {
  /** `detectors.json`: knn-distance entries without a reference of their own take its `knnDistance`. */
  reference?: DetectorsReferenceDocument | undefined;
  /** The model's labels: the default `knownClasses` of knn-distance and `labels` of prediction-distribution. */
  labels?: readonly string[] | undefined;
}

/** What a pipeline builder asks for. */
export interface DetectorSetOptions {
  /** Config entries (`device.json` → `drift.detectors`); default {@link DEVICE_DEFAULT_DETECTORS}. */
  detectors?: readonly DriftDetectorConfigInput[] | undefined;
  /** Options merged into every knn-distance entry; `false` drops those entries. */
  knnDistance?: KnnDistanceMonitorOptions | false | undefined;
  /** Detector instances to run as well (e.g. a custom detector). */
  extra?: readonly DetectorSetMember[] | undefined;
}

function withContext(e: DeviceDriftDetectorConfig, ctx: DetectorSetContext): DriftDetector<never> {
  const labels = ctx.labels ? [...ctx.labels] : null;
  if (e.kind === 'knn-distance') {
    const o = { ...e.options, knownClasses: e.options.knownClasses ?? labels };
    const ref = ctx.reference?.knnDistance;
    const given = o.referenceMean !== null;
    return createDetector('knn-distance', ref && !given ? { ...o, referenceMean: ref.mean, referenceStd: ref.std } : o);
  }
  if (e.kind === 'prediction-distribution')
    return createDetector(e.kind, { ...e.options, labels: e.options.labels ?? labels });
  return createDetector(e.kind, e.options as never);
}

/**
 * Validates config entries (strict options, label-free kinds, distinct names: a VALIDATION_FAILED
 * error names the offending key) and builds their detectors through the registry.
 * @example
 * try {
 *   detectorSetMembers([{ kind: 'knn-distance', options: { lambda: 1 } }]);
 * } catch (e) {
 *   console.log(e.code, e.message.slice(0, 67));
 * }
 * // => VALIDATION_FAILED invalid drift detectors: 0.options: unknown option "lambda" (known:
 */
export function detectorSetMembers(
  entries: readonly DriftDetectorConfigInput[],
  context: DetectorSetContext = {},
): DetectorSetMember[] {
  const parsed = parseOrThrow(DeviceDriftDetectors, entries, 'drift detectors');
  return parsed.map((e) => ({
    name: e.name ?? e.kind,
    detector: withContext(e, context),
    ...('input' in e ? { input: e.input } : {}),
    ...('quietFrames' in e ? { quietFrames: e.quietFrames } : {}),
  }));
}

/**
 * The detector set of a pipeline: config entries (or the device defaults) with the bundle's
 * reference and labels, plus any extra detector instances.
 * @example
 * const reference = { schemaVersion: 1, knnDistance: { mean: 10, std: 1, samples: 500 } };
 * const set = buildDetectorSet({ detectors: [{ kind: 'knn-distance' }, { kind: 'cusum', input: 'confidence' }] }, { reference });
 * console.log(set.members.map((m) => m.name).join(' '), set.members[0].detector.reference.mean);
 * // => knn-distance cusum 10
 */
export function buildDetectorSet(options: DetectorSetOptions, context: DetectorSetContext = {}): DetectorSet {
  const { knnDistance } = options;
  const entries = (options.detectors ?? DEVICE_DEFAULT_DETECTORS).flatMap((e) => {
    if (e.kind !== 'knn-distance' || knnDistance === undefined) return [e];
    return knnDistance === false ? [] : [{ ...e, options: { ...e.options, ...knnDistance } }];
  });
  return new DetectorSet([...detectorSetMembers(entries, context), ...(options.extra ?? [])]);
}
