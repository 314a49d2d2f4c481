import { KnnDistanceMonitorOptions, type ResolvedDetectorOptions } from '@tinymlops/contracts';
import { parseOptions } from './internal/options.js';

export type { KnnDistanceMonitorOptions } from '@tinymlops/contracts';

/** Options with defaults applied (what `snapshot().options` records). */
export type ResolvedKnnDistanceOptions = ResolvedDetectorOptions<'knn-distance'>;

/**
 * Applies defaults and validates with the contracts schema; a bad or unknown option throws
 * `INVALID_OPTION` naming it and its range.
 * @example
 * console.log(resolveKnnDistanceOptions({ lambdaSigma: 15 }).deltaSigma);
 * // => 0.75
 */
export function resolveKnnDistanceOptions(o: KnnDistanceMonitorOptions): ResolvedKnnDistanceOptions {
  return parseOptions('KnnDistanceMonitor', KnnDistanceMonitorOptions, o);
}
