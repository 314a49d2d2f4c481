import type { DriftDetectorConfigInput } from '@tinymlops/contracts';

/**
 * The drift detectors a device runs when `device.json` names none (docs/drift.md explains them):
 *
 * - `knn-distance` at its defaults: Page-Hinkley on the mean neighbour distance, judged against
 *   the predicted class's own distance scale (from the bundle's KNN state) and counted once per
 *   scene, so a camera holding one scene for many frames does not pile up evidence.
 * - `prediction-distribution` once per scene, keeping its learnt class mix: a prior shift (the
 *   class mix changes, the objects do not) moves no distance; this finds it, late.
 * - `image-statistics` once per scene, on the raw frame: a camera-health check (exposure,
 *   contrast, focus, sensor noise) against the camera's own first 30 scenes. It finds a
 *   brightness, contrast, blur or noise change on its first scene, where the distance needs 30+
 *   frames of held scenes; the 120 quiet frames keep one episode open across the gaps between
 *   drifted scenes.
 * @example
 * console.log(DEVICE_DEFAULT_DETECTORS.map((d) => d.name ?? d.kind).join(', '));
 * // => knn-distance, class mix, camera
 */
export const DEVICE_DEFAULT_DETECTORS: readonly DriftDetectorConfigInput[] = Object.freeze([
  Object.freeze({ kind: 'knn-distance' }),
  Object.freeze({
    kind: 'prediction-distribution',
    name: 'class mix',
    sceneChange: 0.8,
    options: Object.freeze({ relearn: false }),
  }),
  Object.freeze({ kind: 'image-statistics', name: 'camera', sceneChange: 0.8, quietFrames: 120 }),
]);
