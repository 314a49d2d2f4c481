/**
 * Length of `x` when it is an array-like of finite numbers (of length `dimension` when that is
 * positive), else -1. Vector detectors ignore and count anything else.
 */
export function finiteVectorLength(x: unknown, dimension: number): number {
  if (x === null || typeof x !== 'object') return -1;
  const v = x as ArrayLike<unknown>;
  if (typeof v.length !== 'number' || v.length === 0) return -1;
  if (dimension > 0 && v.length !== dimension) return -1;
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (typeof c !== 'number' || !Number.isFinite(c)) return -1;
  }
  return v.length;
}
