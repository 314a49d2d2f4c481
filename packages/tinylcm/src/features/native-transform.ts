import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import type { Pca } from './pca.js';
import type { StandardScaler } from './standard-scaler.js';

/** Computes `out = T(x)` for one feature vector. */
export type TransformKernel = (x: Float32Array, out: Float32Array) => Float32Array;

/**
 * Scaler + PCA folded into one affine map, `T(x) = W·x + b` with `W[j][i] = C[j][i] / s[i]` and
 * `b[j] = −Σᵢ C[j][i]·(m[i]/s[i] + μ[i])` (folded in float64, stored as float32).
 */
export function foldScalerPca(scaler: StandardScaler | undefined, pca: Pca): { w: Float32Array; b: Float32Array } {
  const [n, d] = [pca.outputDim, pca.inputDim];
  const w = new Float32Array(n * d);
  const b = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    let bias = 0;
    for (let i = 0; i < d; i++) {
      const c = pca.components[j * d + i] as number;
      const s = scaler ? (scaler.scale[i] as number) : 1;
      const m = scaler ? (scaler.mean[i] as number) : 0;
      w[j * d + i] = c / s;
      bias -= c * (m / s + (pca.mean[i] as number));
    }
    b[j] = bias;
  }
  return { w, b };
}

/**
 * The feature transform as one native SIMD matrix–vector product (XNNPACK's float32
 * fully-connected kernel, from TinyLCM's addon), or undefined when the addon is not there.
 * Results equal the JavaScript path within float32 rounding (it accumulates in float64): the
 * tests bound the difference at 1e-4 × the largest |value|.
 * @example
 * const kernel = nativeTransformKernel(scaler, pca);
 * kernel?.(features, out);
 */
export function nativeTransformKernel(scaler: StandardScaler | undefined, pca: Pca): TransformKernel | undefined {
  const { addon } = loadXnnpackAddon();
  if (!addon?.denseCreate) return undefined;
  const { w, b } = foldScalerPca(scaler, pca);
  const handle = addon.denseCreate(w, b);
  return (x, out) => {
    addon.denseRun(handle, x, out);
    return out;
  };
}
