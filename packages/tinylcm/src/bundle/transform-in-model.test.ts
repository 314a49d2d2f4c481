import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { knnFromPrototypeState } from '../classify/knn-state.js';
import { readFashionMnist } from '../datasets/fashion-mnist.js';
import { FeatureTransform } from '../features/feature-transform.js';
import { createPreprocessor, type RawFrame } from '../features/preprocess.js';
import { PROTOTYPE_OBJECT_INPUT, referenceArtifact, REPO_ROOT } from '../internal/test-paths.js';
import type { PipelineResult } from '../pipeline.js';
import { loadModelRuntime, type ModelRuntime } from '../runtime/model-runtime.js';
import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import { loadBundlePipeline } from './bundle-pipeline.js';

/**
 * The feature transform folded into the XNNPACK graph as its last layer (a float32 fully-connected
 * node) against the JavaScript transform (float64 accumulation) after the same model: the values
 * agree within float32 rounding, stated as max |Δ| ≤ 1e-4 × the frame's largest |value| (the bound
 * of the native transform kernel it replaces), and everything downstream — labels, neighbours and
 * their order, drift events — is the same on the committed dataset sample.
 */
const MAX_REL_DIFF = 1e-4;
const FASHION = { modelName: 'fashion-mnv2', featureTensor: 'feature_pool' };
const { addon, reason } = loadXnnpackAddon();
const disposers: (() => void)[] = [];
afterAll(() => disposers.forEach((d) => d()));

function relDiff(want: Float32Array, got: Float32Array): number {
  expect(got.length).toBe(want.length);
  const scale = Math.max(...want.map(Math.abs));
  return want.reduce((m, v, i) => Math.max(m, Math.abs(v - (got[i] as number))), 0) / scale;
}

async function frames(n: number): Promise<RawFrame[]> {
  const data = await readFashionMnist(path.join(REPO_ROOT, 'datasets/fashion-mnist'));
  return Array.from({ length: n }, (_, i) => {
    const k = (i * 7919) % data.count;
    return { data: data.images.subarray(k * 784, (k + 1) * 784), width: 28, height: 28, channels: 1 };
  });
}

describe.skipIf(!addon)(`the transform inside the model call${addon ? '' : ` — SKIPPED: ${reason}`}`, () => {
  it('fashion-mnv2: same labels, neighbours and drift events as the JavaScript transform', async () => {
    const dir = path.join(REPO_ROOT, 'models/fashion-mnv2');
    const inference = { backend: 'xnnpack' as const };
    const folded = await loadBundlePipeline(dir, { inference });
    const js = await loadBundlePipeline(dir, { inference, nativeKernels: false });
    disposers.push(folded.dispose, js.dispose);
    expect(folded.transformInModel).toBe(true);
    expect(folded.runtime.featureHead).toBe(true);
    expect(js.transformInModel).toBe(false);
    const run = async (p: typeof js, f: RawFrame): Promise<PipelineResult> => p.pipeline.process(f);
    let worst = 0;
    const all = await frames(200);
    for (const f of all) {
      const [a, b] = [await run(js, f), await run(folded, f)];
      worst = Math.max(worst, relDiff(a.features, b.features));
      expect(b.label).toBe(a.label);
      expect(b.neighbours.map((n) => n.index)).toEqual(a.neighbours.map((n) => n.index));
      b.neighbours.forEach((n, j) => expect(n.distance).toBeCloseTo(a.neighbours[j]?.distance as number, 3));
      const events = (r: PipelineResult) => r.driftEvents.map((e) => [e.phase, e.frameIndex]);
      expect(events(b)).toEqual(events(a));
    }
    expect(worst).toBeLessThanOrEqual(MAX_REL_DIFF);
    expect(folded.pipeline.frames).toBe(all.length);
  });

  const poc = referenceArtifact('scenario2/model_object.tflite');
  it.skipIf(!poc)('the prototype’s 224² model, scaler + PCA and KNN state: same labels and neighbours', async () => {
    const dir = path.dirname(poc as string);
    const json = (f: string): unknown => JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    const transform = FeatureTransform.fromPrototypeProcessor(json('feature_processor.json') as never);
    const knn = knnFromPrototypeState(json('knn_initial_state_objects.json') as never, {
      prototypeDistanceScaling: true,
    });
    const bytes = new Uint8Array(readFileSync(poc as string));
    const options = { modelName: 'poc', backend: 'xnnpack' as const };
    const featureHead = transform.affine();
    if (!featureHead) throw new Error('the prototype transform has a PCA');
    const load = (head: boolean): Promise<ModelRuntime> =>
      loadModelRuntime(bytes, head ? { ...options, featureHead } : options);
    const [plain, folded] = [await load(false), await load(true)];
    disposers.push(
      () => plain.dispose(),
      () => folded.dispose(),
    );
    expect(folded.outputs.find((o) => o.name === folded.featureTensor)?.shape).toEqual([1, 256]);
    const pre = createPreprocessor(PROTOTYPE_OBJECT_INPUT);
    let worst = 0;
    for (const f of await frames(40)) {
      const input = pre.process(f);
      const want = transform.apply((await plain.run(input)).get(plain.featureTensor) as Float32Array);
      const got = (await folded.run(input)).get(folded.featureTensor) as Float32Array;
      worst = Math.max(worst, relDiff(want, got));
      const a = structuredClone(knn.predict(want));
      const b = knn.predict(got);
      expect(b.label).toBe(a.label);
      expect(b.neighbours.map((n) => n.index)).toEqual(a.neighbours.map((n) => n.index));
    }
    expect(worst).toBeLessThanOrEqual(MAX_REL_DIFF);
  });

  it('refuses a head whose weights do not fit the feature tensor, naming it', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'models/fashion-mnv2/model.tflite')));
    const featureHead = { weights: new Float32Array(10), bias: new Float32Array(4) };
    const load = loadModelRuntime(bytes, { ...FASHION, backend: 'xnnpack', featureHead });
    await expect(load).rejects.toThrow(/feature head: 10 weights for 1280 → 4/);
  });
});

describe('backends without a feature head', () => {
  it('litert ignores it and says so: the feature output stays the model’s features', async () => {
    const bytes = new Uint8Array(readFileSync(path.join(REPO_ROOT, 'models/fashion-mnv2/model.tflite')));
    const featureHead = { weights: new Float32Array(1280 * 4), bias: new Float32Array(4) };
    const rt = await loadModelRuntime(bytes, { ...FASHION, backend: 'litert', featureHead });
    disposers.push(() => rt.dispose());
    expect(rt.featureHead).toBeFalsy();
    expect(rt.outputs.find((o) => o.name === rt.featureTensor)?.shape.reduce((a, b) => a * b, 1)).toBe(1280);
  });
});
