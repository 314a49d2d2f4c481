import { TinyMLOpsError } from '@tinymlops/contracts';
import { DRIFT_DETECTORS, createDetector, type DriftDetectorKind } from '@tinymlops/tinylcm';
import type { DetectorFactory } from './reanalysis.js';

/**
 * The server's re-analysis detectors: TinyLCM's own registry (one implementation of each
 * algorithm, shared with the devices). Re-analysis replays a number per sample (confidence or
 * feature norm), so only detectors of real-valued streams are offered.
 * @example
 * const d = tinylcmDetectorFactory('page-hinkley', { threshold: 20 });
 */
export const tinylcmDetectorFactory: DetectorFactory = (kind, options) => {
  if (!Object.hasOwn(DRIFT_DETECTORS, kind)) {
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `unknown drift detector kind "${kind}" (known: ${Object.keys(DRIFT_DETECTORS).join(', ')})`,
    );
  }
  const entry = DRIFT_DETECTORS[kind as DriftDetectorKind];
  if (entry.inputType !== 'number') {
    const numeric = Object.entries(DRIFT_DETECTORS)
      .filter(([, e]) => e.inputType === 'number')
      .map(([k]) => k);
    throw new TinyMLOpsError(
      'INVALID_OPTION',
      `re-analysis replays one number per sample, but "${kind}" consumes ${entry.inputType} input; use one of: ${numeric.join(', ')}`,
    );
  }
  return createDetector(kind as DriftDetectorKind, options as never) as ReturnType<DetectorFactory>;
};
