import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedBundle } from '../bundle/load-bundle.js';
import { createPreprocessor } from '../features/preprocess.js';
import { REPO_ROOT } from '../internal/test-paths.js';
import { loadBundleRuntime } from '../bundle/bundle-runtime.js';
import type { ModelRuntime } from './model-runtime.js';

/**
 * The project's own model against the outputs the training script saved with tf.lite.Interpreter
 * (models/fashion-mnv2/golden.json). Same TFLite int8 kernels (XNNPACK) on both sides, so we expect
 * bit-identical features. Tolerance stated: max |Δ| ≤ 1e-4 per value and cosine ≥ 0.9999.
 */
const MODEL_DIR = path.join(REPO_ROOT, 'models/fashion-mnv2');
const DATASET = path.join(REPO_ROOT, 'datasets/fashion-mnist/sample-images-idx3-ubyte.gz');
const hasModel = fs.existsSync(path.join(MODEL_DIR, 'golden.json'));
const hasDataset = fs.existsSync(DATASET);
const MAX_ABS_DIFF = 1e-4;
const MIN_COSINE = 0.9999;

interface GoldenCase {
  name: string;
  kind: 'dataset-sample' | 'constant' | 'noise';
  sampleIndex?: number;
  value?: number;
  inputBase64?: string;
  inputSha256: string;
  features: number[];
}

/** Image `i` of a gzipped IDX3 file (magic 0x00000803, big-endian dims). */
function idxImage(file: string, i: number): { data: Uint8Array; width: number; height: number } {
  const b = gunzipSync(fs.readFileSync(file));
  if (b.readUInt32BE(0) !== 0x803) throw new Error(`${file} is not an IDX3 file`);
  const [h, w] = [b.readUInt32BE(8), b.readUInt32BE(12)];
  return { data: new Uint8Array(b.subarray(16 + i * h * w, 16 + (i + 1) * h * w)), width: w, height: h };
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa === 0 && bb === 0 ? 1 : ab / Math.sqrt(aa * bb);
}

const title = hasModel
  ? 'fashion-mnv2: LiteRT.js outputs match the training script’s golden outputs'
  : 'fashion-mnv2 golden outputs — SKIPPED: models/fashion-mnv2/golden.json not found (copy or train the model)';

describe.skipIf(!hasModel)(title, () => {
  let bundle: LoadedBundle;
  let rt: ModelRuntime;
  let cases: GoldenCase[];
  beforeAll(async () => {
    bundle = await loadBundle(MODEL_DIR);
    // LiteRT, whatever else is installed: the golden outputs are TF Lite's own kernels, which the
    // other backends match only within backends-agree.test.ts's looser tolerance.
    rt = await loadBundleRuntime(bundle, { inference: { backend: 'litert' } });
    cases = (JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as { cases: GoldenCase[] }).cases;
  });
  afterAll(() => rt?.dispose());

  function inputOf(c: GoldenCase): Uint8Array {
    const n = bundle.manifest.input.shape.reduce((a, b) => a * b, 1);
    if (c.kind === 'constant') return new Uint8Array(n).fill(c.value ?? 0);
    if (c.kind === 'noise') return new Uint8Array(Buffer.from(c.inputBase64 ?? '', 'base64'));
    const img = idxImage(DATASET, c.sampleIndex ?? 0);
    return createPreprocessor(bundle.manifest.input)
      .process({ ...img, channels: 1 })
      .slice() as Uint8Array;
  }

  it('describes the bundle’s input and feature tensor', () => {
    expect(rt.inputs[0]?.shape).toEqual(bundle.manifest.input.shape);
    expect(rt.inputs[0]?.dtype).toBe(bundle.manifest.input.dtype);
    expect(rt.outputs.find((o) => o.name === rt.featureTensor)?.shape.at(-1)).toBe(bundle.manifest.featureTensor.dim);
  });

  it.skipIf(!hasDataset)('preprocesses the dataset samples to the exact bytes the training script fed (sha256)', () => {
    for (const c of cases.filter((x) => x.kind === 'dataset-sample'))
      expect(sha256(inputOf(c)), c.name).toBe(c.inputSha256);
  });

  it(`matches every golden feature vector (max |Δ| ≤ ${MAX_ABS_DIFF}, cosine ≥ ${MIN_COSINE})`, async () => {
    for (const c of cases) {
      if (c.kind === 'dataset-sample' && !hasDataset) continue;
      const input = inputOf(c);
      expect(sha256(input), `${c.name} input`).toBe(c.inputSha256);
      const f = (await rt.run(input)).get(rt.featureTensor) as Float32Array;
      expect(f.length).toBe(c.features.length);
      const maxDiff = c.features.reduce((m, g, i) => Math.max(m, Math.abs(g - (f[i] as number))), 0);
      expect(maxDiff, `${c.name} max |Δ|`).toBeLessThanOrEqual(MAX_ABS_DIFF);
      expect(cosine(f, c.features), `${c.name} cosine`).toBeGreaterThanOrEqual(MIN_COSINE);
    }
  });
});
