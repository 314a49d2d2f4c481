import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import { LITERT_LASTING_GLOBALS } from './litert-node-shims.js';
import { loadModelRuntime, type ModelRuntime } from './model-runtime.js';

/**
 * LiteRT.js' threaded WASM build in Node (its own file: the build is chosen once per process).
 * It needs relaxed SIMD (a V8 flag on Node 20), a pthread bootstrap for its worker threads and a
 * few browser globals; only those the build reads after loading may stay on `globalThis`.
 */
const MODEL_DIR = path.join(REPO_ROOT, 'models/fashion-mnv2');

interface GoldenCase {
  kind: string;
  value?: number;
  inputBase64?: string;
  features: number[];
}

describe('LiteRT.js with 2 threads (threaded WASM build)', () => {
  let before: Set<string>;
  let rt: ModelRuntime;
  beforeAll(async () => {
    before = new Set(Object.getOwnPropertyNames(globalThis));
    const bytes = new Uint8Array(fs.readFileSync(path.join(MODEL_DIR, 'model.tflite')));
    rt = await loadModelRuntime(bytes, { modelName: 'fashion', backend: 'litert', threads: 2, onLog: () => {} });
  });
  afterAll(() => rt?.dispose());

  it('reports its threads', () => {
    expect(rt).toMatchObject({ backend: 'litert', threads: 2 });
  });

  it(`leaves nothing on globalThis but ${LITERT_LASTING_GLOBALS.join(' and ')}`, () => {
    const added = Object.getOwnPropertyNames(globalThis).filter((k) => !before.has(k));
    expect(added.filter((k) => !LITERT_LASTING_GLOBALS.includes(k))).toEqual([]);
    for (const k of ['self', 'require', '__dirname', '__filename', 'importScripts', 'Module', 'ModuleFactory'])
      expect(k in globalThis, k).toBe(false);
  });

  it('gives the golden features of TF Lite (constant and noise inputs; max |Δ| ≤ 1e-4)', async () => {
    const golden = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'golden.json'), 'utf8')) as { cases: GoldenCase[] };
    const n = 112 * 112 * 3;
    const cases = golden.cases.filter((c) => c.kind !== 'dataset-sample');
    expect(cases.length).toBeGreaterThan(0);
    for (const c of cases) {
      const input =
        c.kind === 'constant'
          ? new Uint8Array(n).fill(c.value ?? 0)
          : new Uint8Array(Buffer.from(c.inputBase64 ?? '', 'base64'));
      const f = (await rt.run(input)).get(rt.featureTensor) as Float32Array;
      const maxDiff = c.features.reduce((m, g, i) => Math.max(m, Math.abs(g - (f[i] as number))), 0);
      expect(maxDiff).toBeLessThanOrEqual(1e-4);
    }
  });
});
