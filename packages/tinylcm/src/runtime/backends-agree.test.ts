import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFashionMnist } from '@tinymlops/testkit';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import { bundleModelSources } from '../bundle/bundle-runtime.js';
import { createPreprocessor } from '../features/preprocess.js';
import { hasOnnxRuntimeNode, referenceArtifact, REPO_ROOT } from '../internal/test-paths.js';
import { loadFastestRuntime } from './choose-backend.js';
import { loadModelRuntime, type ModelBackend, type ModelRuntime } from './model-runtime.js';
import { loadXnnpackAddon } from './xnnpack/xnnpack-addon.js';

/**
 * Every backend must give the features LiteRT.js (TF Lite's kernels in WASM, the reference) gives,
 * on the committed Fashion-MNIST sample. XNNPACK runs the same int8 kernels: bit-identical, with 1
 * and 2 threads. The ONNX twin runs onnxruntime's int8 kernels on the same weights: rounding of
 * requantisation may differ by one step, so within a stated tolerance.
 */
const ONNX_MIN_COSINE = 0.9995; // worst seen: 0.99990
/** Max |Δ| of one feature value, relative to the largest |feature| of the frame. */
const ONNX_MAX_REL_DIFF = 0.05; // worst seen: 0.034 (one output quantisation step)
const FRAMES = 40;

const xnnpack = loadXnnpackAddon();
const hasOrt = hasOnnxRuntimeNode();
if (!xnnpack.addon) console.warn(`!! XNNPACK backend tests SKIPPED: ${xnnpack.reason}`);

function compare(ref: Float32Array, got: Float32Array) {
  let dot = 0;
  let rr = 0;
  let gg = 0;
  let maxDiff = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const [r, g] = [ref[i] as number, got[i] as number];
    dot += r * g;
    rr += r * r;
    gg += g * g;
    maxDiff = Math.max(maxDiff, Math.abs(r - g));
    maxAbs = Math.max(maxAbs, Math.abs(r));
  }
  return { cosine: rr === 0 && gg === 0 ? 1 : dot / Math.sqrt(rr * gg), maxDiff, relDiff: maxDiff / (maxAbs || 1) };
}

describe('fashion-mnv2: every backend agrees with LiteRT.js on the committed dataset sample', () => {
  let bundle: LoadedBundle;
  let inputs: Uint8Array[];
  let reference: Float32Array[];
  const runtimes: ModelRuntime[] = [];

  const featuresOf = async (rt: ModelRuntime) => {
    const out: Float32Array[] = [];
    for (const x of inputs) out.push((await rt.run(x)).get(rt.featureTensor) as Float32Array);
    return out;
  };
  const load = async (backend: ModelBackend, threads = 1) => {
    const src = bundleModelSources(bundle);
    const bytes = (backend === 'onnx' ? src.onnx : src.tflite) as Uint8Array;
    const rt = await loadModelRuntime(bytes, { modelName: 'fashion', backend, threads, featureTensor: 'feature_pool' });
    runtimes.push(rt);
    return rt;
  };

  beforeAll(async () => {
    bundle = await loadBundle(path.join(REPO_ROOT, 'models/fashion-mnv2'));
    const data = await readFashionMnist(path.join(REPO_ROOT, 'datasets/fashion-mnist'));
    const pre = createPreprocessor(bundle.manifest.input);
    inputs = Array.from({ length: FRAMES }, (_, i) => {
      const k = (i * 37) % data.count;
      const frame = { data: data.images.subarray(k * 784, (k + 1) * 784), width: 28, height: 28, channels: 1 };
      return pre.process(frame).slice() as Uint8Array;
    });
    reference = await featuresOf(await load('litert'));
  });
  afterAll(() => runtimes.forEach((r) => r.dispose()));

  it('the bundle lists its ONNX twin, verified like every file', () => {
    expect(bundle.manifest.model.twins).toEqual([{ path: 'model.onnx', format: 'onnx' }]);
    expect(bundle.twins[0]?.bytes.length).toBeGreaterThan(100_000);
  });

  it.skipIf(!xnnpack.addon).each([1, 2])('xnnpack with %i thread(s): bit-identical features', async (threads) => {
    const got = await featuresOf(await load('xnnpack', threads));
    got.forEach((f, i) => expect(compare(reference[i] as Float32Array, f).maxDiff, `frame ${i}`).toBe(0));
  });

  it.skipIf(!hasOrt)(
    `onnx twin: cosine ≥ ${ONNX_MIN_COSINE}, max |Δ| ≤ ${ONNX_MAX_REL_DIFF} × max |feature|`,
    async () => {
      const got = await featuresOf(await load('onnx'));
      const worst = got.map((f, i) => compare(reference[i] as Float32Array, f));
      for (const [i, c] of worst.entries()) {
        expect(c.cosine, `frame ${i} cosine`).toBeGreaterThanOrEqual(ONNX_MIN_COSINE);
        expect(c.relDiff, `frame ${i} relative max |Δ|`).toBeLessThanOrEqual(ONNX_MAX_REL_DIFF);
      }
    },
  );

  it.skipIf(!xnnpack.addon)('auto picks xnnpack, one thread by default, and says so', async () => {
    const { runtime, choice } = await loadFastestRuntime(bundleModelSources(bundle), { modelName: 'f' });
    runtimes.push(runtime);
    expect(choice).toMatchObject({ backend: 'xnnpack', threads: 1, skipped: [], summary: 'xnnpack, 1 thread' });
  });

  it.skipIf(!hasOrt)('auto falls back to the ONNX twin when there is no TFLite model, naming the reason', async () => {
    const onnxOnly = { onnx: bundleModelSources(bundle).onnx as Uint8Array };
    const { runtime, choice } = await loadFastestRuntime(onnxOnly, { modelName: 'f' }, { threads: 1 });
    runtimes.push(runtime);
    expect(choice.backend).toBe('onnx');
    expect(choice.summary).toContain('xnnpack skipped: no TFLite model in the bundle');
  });

  it('a corrupt .tflite is refused even though its ONNX twin would load (no fallback on a broken bundle)', async () => {
    const broken = Uint8Array.from(bundleModelSources(bundle).tflite as Uint8Array, (b, i) => (i % 7 ? b : b ^ 0x5a));
    const sources = { tflite: broken, onnx: bundleModelSources(bundle).onnx as Uint8Array };
    await expect(loadFastestRuntime(sources, { modelName: 'f' })).rejects.toThrow(/not a valid TFLite file/);
  });

  it('a pinned backend without its model format is an error, not a fallback', async () => {
    await expect(
      loadFastestRuntime(
        { tflite: bundleModelSources(bundle).tflite as Uint8Array },
        { modelName: 'f' },
        { backend: 'onnx' },
      ),
    ).rejects.toThrow(/pinned but there is no ONNX model/);
  });
});

const classification = referenceArtifact('scenario0/model_classification.tflite');
describe.skipIf(!classification || !xnnpack.addon)('a model with ops XNNPACK is not given', () => {
  it('FULLY_CONNECTED / SOFTMAX: the xnnpack backend refuses, auto falls back to LiteRT.js', async () => {
    const bytes = new Uint8Array(fs.readFileSync(classification as string));
    await expect(loadModelRuntime(bytes, { modelName: 'cls', backend: 'xnnpack' })).rejects.toThrow(
      /not supported by the XNNPACK backend/,
    );
    const { runtime, choice } = await loadFastestRuntime({ tflite: bytes }, { modelName: 'cls' }, { threads: 1 });
    runtime.dispose();
    expect(choice.backend).toBe('litert');
    expect(choice.skipped[0]?.reason).toMatch(/FULLY_CONNECTED/);
  });
});
