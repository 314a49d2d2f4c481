import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle } from './bundle/load-bundle.js';
import { loadBundlePipeline } from './bundle/bundle-pipeline.js';
import { readFashionMnist } from './datasets/fashion-mnist.js';
import { FeatureTransform } from './features/feature-transform.js';
import { REPO_ROOT } from './internal/test-paths.js';
import { DataLogger } from './log/data-logger.js';
import type { PipelineResult } from './pipeline.js';
import { Prng } from './random/prng.js';
import { loadXnnpackAddon } from './runtime/xnnpack/xnnpack-addon.js';
import type { ModelRuntime } from './runtime/model-runtime.js';

/**
 * A fixed stream through the device data path of the committed bundle (models/fashion-mnv2):
 * preprocess, KNN (with the novel-class gate), drift set and data log as the device runs them.
 * Only the model is replaced, by deterministic features (mixtures of the bundle's golden features
 * plus seeded noise, scaled up in the second half so the drift set opens episodes), transformed by
 * the JavaScript transform: the stream is the same on every machine, with or without the XNNPACK
 * addon. `pipeline.golden.json` holds digests of what the code before the overhead work produced
 * (`UPDATE_PIPELINE_GOLDEN=1` rewrites it); any change to labels, distances, neighbours, drift
 * events, logged records or model inputs fails here.
 */
const MODEL_DIR = path.join(REPO_ROOT, 'models/fashion-mnv2');
const GOLDEN = path.join(path.dirname(new URL(import.meta.url).pathname), 'pipeline.golden.json');
const FRAMES = 400;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const sha = (x: unknown) => createHash('sha256').update(JSON.stringify(x)).digest('hex');

/** The model's stand-in: frame i's raw features, transformed; it also digests every input it gets. */
async function streamRuntime(transform: FeatureTransform): Promise<{ runtime: ModelRuntime; inputs: () => string }> {
  const golden = JSON.parse(readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as {
    cases: { kind: string; features: number[] }[];
  };
  const bases = golden.cases.filter((c) => c.kind === 'dataset-sample').map((c) => c.features);
  const prng = new Prng(14);
  const inputHash = createHash('sha256');
  let frame = 0;
  const runtime: ModelRuntime = {
    modelName: 'stream',
    backend: 'litert',
    inputs: [],
    outputs: [],
    featureTensor: 'features',
    run(input) {
      inputHash.update(input);
      const [a, b] = [prng.nextInt(bases.length), prng.nextInt(bases.length)];
      const w = prng.next();
      const gain = frame++ < FRAMES / 2 ? 1 : 1.8;
      const raw = Float32Array.from(bases[a] as number[], (x, i) => {
        const mixed = w * x + (1 - w) * ((bases[b] as number[])[i] as number);
        return gain * (mixed + 0.05 * prng.gaussian());
      });
      return Promise.resolve(new Map([['features', transform.apply(raw)]]));
    },
    dispose: () => undefined,
  };
  return { runtime, inputs: () => inputHash.digest('hex') };
}

async function runStream(nativeKernels = false) {
  const bundle = await loadBundle(MODEL_DIR);
  const transform = FeatureTransform.fromDocument(bundle.transform); // JavaScript path: same on every machine
  const { runtime, inputs } = await streamRuntime(transform);
  const dir = mkdtempSync(path.join(tmpdir(), 'tinylcm-stream-'));
  dirs.push(dir);
  const log = new DataLogger({ dir, now: () => 1_700_000_000_000, segmentBytes: 16_384, budgetBytes: 1 << 20 });
  const dp = await loadBundlePipeline(
    { ...bundle, transform: undefined },
    {
      runtime,
      log,
      logFeatures: true,
      nativeKernels,
    },
  );
  const images = await readFashionMnist(path.join(REPO_ROOT, 'datasets/fashion-mnist'));
  const results: Omit<PipelineResult, 'timings' | 'features'>[] = [];
  for (let i = 0; i < FRAMES; i++) {
    const k = (i * 7919) % images.count;
    const data = images.images.subarray(k * 784, (k + 1) * 784);
    const r = await dp.pipeline.process({ data, width: 28, height: 28, channels: 1 });
    const { timings: _t, features: _f, ...rest } = r;
    results.push(rest);
  }
  log.close();
  const records = (await new DataLogger({ dir, now: () => 0 }).readSince(-1)).map(({ latencyMs: _l, ...r }) => r);
  const driftEvents = results.flatMap((r) => r.driftEvents);
  const labels: Record<string, number> = {};
  for (const r of results) labels[String(r.label)] = (labels[String(r.label)] ?? 0) + 1;
  return {
    frames: FRAMES,
    results: sha(results),
    records: sha(records),
    recordCount: records.length,
    inputs: inputs(),
    labels,
    driftEvents,
    first: results[0],
  };
}

describe('the device data path on a fixed stream', () => {
  it('gives the same labels, neighbours, distances, drift events, log records and model inputs as recorded', async () => {
    const got = await runStream();
    if (process.env['UPDATE_PIPELINE_GOLDEN'] === '1') writeFileSync(GOLDEN, `${JSON.stringify(got, null, 2)}\n`);
    const want = JSON.parse(readFileSync(GOLDEN, 'utf8')) as typeof got;
    expect(got.driftEvents.length).toBeGreaterThan(0); // the stream exercises the drift set
    expect(Object.keys(got.labels).length).toBeGreaterThan(1);
    expect(got.recordCount).toBe(FRAMES);
    expect(JSON.parse(JSON.stringify(got))).toEqual(want);
  });

  it.skipIf(!loadXnnpackAddon().addon)(
    'gives the same labels and drift episodes with the native KNN scan',
    async () => {
      const [js, native] = [await runStream(false), await runStream(true)];
      expect(native.labels).toEqual(js.labels);
      const episodes = (r: typeof js) => r.driftEvents.map((e) => [e.phase, e.episode, e.frameIndex, e.detector]);
      expect(episodes(native)).toEqual(episodes(js));
      expect(native.recordCount).toBe(js.recordCount);
    },
  );
});
