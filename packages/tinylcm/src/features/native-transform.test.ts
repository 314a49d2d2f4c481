import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../bundle/load-bundle.js';
import { REPO_ROOT } from '../internal/test-paths.js';
import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import { FeatureTransform } from './feature-transform.js';

/**
 * The native transform (scaler + PCA folded into one float32 matrix, XNNPACK's fully-connected
 * kernel) against the JavaScript path (float64 accumulation): equal within float32 rounding,
 * stated as max |Δ| ≤ 1e-4 × the largest |output|.
 */
const { addon, reason } = loadXnnpackAddon();

describe.skipIf(!addon)(`native feature transform${addon ? '' : ` — SKIPPED: ${reason}`}`, () => {
  it('gives the JavaScript transform’s values on fashion-mnv2 (1280 → 256) within float32 rounding', async () => {
    const bundle = await loadBundle(path.join(REPO_ROOT, 'models/fashion-mnv2'));
    const js = FeatureTransform.fromDocument(bundle.transform);
    const native = FeatureTransform.fromDocument(bundle.transform);
    expect(native.accelerate()).toBe(true);
    let seed = 7;
    const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 3;
    for (let k = 0; k < 20; k++) {
      const x = Float32Array.from({ length: 1280 }, () => (rand() > 2 ? rand() : 0)); // sparse, ReLU-like
      const a = js.apply(x);
      const b = native.apply(x, new Float32Array(256));
      const scale = Math.max(...a.map(Math.abs));
      const maxDiff = a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);
      expect(maxDiff / scale).toBeLessThanOrEqual(1e-4);
    }
  });

  it('leaves a scaler-only transform on the JavaScript path', () => {
    const t = FeatureTransform.fromDocument({
      schemaVersion: 1,
      inputDim: 2,
      outputDim: 2,
      scaler: { mean: [0, 1], scale: [1, 2] },
    });
    expect(t.accelerate()).toBe(false);
    expect([...t.apply(Float32Array.of(1, 3))]).toEqual([1, 1]);
  });
});
