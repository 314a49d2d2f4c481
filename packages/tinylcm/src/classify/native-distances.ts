import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';

/** `out[r] = ‖q − rows[r]‖²` for the first `count` rows of a flat row-major store. */
export type SquaredDistances = (q: Float32Array, rows: Float32Array, count: number, out: Float64Array) => void;

/**
 * The KNN's Euclidean scan as one native SIMD call (TinyLCM's addon, `knn_distances.c`), or
 * undefined when the addon is not built. Same keys as `ROW_METRICS.euclidean.key` summed in
 * float32 lanes instead of float64: the tests bound the relative difference at 1e-5 and check that
 * predictions are those of the JavaScript scan.
 * @example
 * const scan = nativeSquaredDistances();
 * scan?.(query, store.features, store.count, keys);
 */
export function nativeSquaredDistances(): SquaredDistances | undefined {
  const { addon } = loadXnnpackAddon();
  return typeof addon?.sqDistances === 'function' ? addon.sqDistances : undefined;
}
