import type { DriftDetectorConfigInput } from '@tinymlops/contracts';

/**
 * The drift detectors a device runs when `device.json` names none: the KNN-distance monitor at its
 * defaults, with the bundle's reference. docs/drift.md explains the choice.
 * @example
 * console.log(DEVICE_DEFAULT_DETECTORS.map((d) => d.kind).join(', '));
 * // => knn-distance
 */
export const DEVICE_DEFAULT_DETECTORS: readonly DriftDetectorConfigInput[] = Object.freeze([
  Object.freeze({ kind: 'knn-distance', options: {} }),
]);
