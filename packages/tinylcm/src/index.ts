/**
 * @tinymlops/tinylcm — the on-device lifecycle library.
 * @example
 * import { mulberry32 } from '@tinymlops/tinylcm';
 */
export * from './random/prng.js';
export type * from './drift/drift-detector.js';
