import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { referenceArtifact } from '../internal/test-paths.js';
import { describe, expect, it } from 'vitest';
import { FeatureTransform } from './feature-transform.js';
import { Pca } from './pca.js';
import { StandardScaler } from './standard-scaler.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const scenario2 = referenceArtifact('scenario2') ?? path.join(root, 'absent-shared/scenario2');
const sklearnFixture = path.join(root, 'packages/tinylcm/src/features/fixtures/sklearn-scaler-pca.json');

/** mulberry32: a tiny seeded PRNG so every test sees the same data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Correlated rows: a few latent factors mixed into `d` features plus noise and offsets. */
function correlatedRows(n: number, d: number, seed: number): Float32Array[] {
  const r = rng(seed);
  const mix = Array.from({ length: 3 }, () => Array.from({ length: d }, () => r() * 2 - 1));
  return Array.from({ length: n }, () => {
    const z = [r() * 4 - 2, r() * 2 - 1, r() - 0.5];
    return Float32Array.from(
      { length: d },
      (_, i) => 5 + i + z.reduce((s, zk, k) => s + zk * (mix[k]?.[i] ?? 0), 0) + (r() - 0.5) * 0.1,
    );
  });
}

function covarianceTimes(rows: Float32Array[], mean: Float64Array, v: Float32Array): number[] {
  const out = new Array<number>(v.length).fill(0);
  for (const row of rows) {
    let p = 0;
    row.forEach((x, i) => (p += (x - (mean[i] ?? 0)) * (v[i] ?? 0)));
    row.forEach((x, i) => (out[i] = (out[i] ?? 0) + (p * (x - (mean[i] ?? 0))) / (rows.length - 1)));
  }
  return out;
}

describe('StandardScaler', () => {
  it('fits the population mean and standard deviation, leaving constant features unscaled', () => {
    const s = StandardScaler.fit([Float32Array.of(1, 7), Float32Array.of(3, 7), Float32Array.of(5, 7)]);
    expect(Array.from(s.mean)).toEqual([3, 7]);
    expect(s.scale[0]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    expect(s.scale[1]).toBe(1);
    expect(Array.from(s.apply(Float32Array.of(5, 7)))).toEqual([Math.fround(2 / Math.sqrt(8 / 3)), 0]);
  });

  it('rejects a zero scale', () => {
    expect(() => new StandardScaler([0, 0], [1, 0])).toThrow(/scale\[1\]/);
  });
});

describe('Pca.fit', () => {
  for (const [n, d] of [
    [40, 8],
    [6, 10],
  ] as const) {
    it(`finds orthonormal eigenvectors of the covariance, largest first (${n} rows × ${d} features)`, () => {
      const rows = correlatedRows(n, d, n * d);
      const pca = Pca.fit(rows, 3);
      const ratios = Array.from(pca.explainedVarianceRatio ?? []);
      expect(ratios[0]).toBeGreaterThan(ratios[1] ?? 1);
      expect(ratios[1]).toBeGreaterThan(ratios[2] ?? 1);
      for (let j = 0; j < 3; j++) {
        const v = pca.component(j);
        const cv = covarianceTimes(rows, pca.mean, v);
        const lambda = cv.reduce((s, x, i) => s + x * (v[i] ?? 0), 0);
        cv.forEach((x, i) => expect(x).toBeCloseTo(lambda * (v[i] ?? 0), 4));
        expect(v.reduce((s, x) => s + x * x, 0)).toBeCloseTo(1, 5);
        const maxAbs = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
        expect(maxAbs).toBeGreaterThan(0);
      }
    });
  }
});

describe('FeatureTransform', () => {
  it('round-trips through the TransformDocument and transforms identically', () => {
    const rows = correlatedRows(30, 12, 7);
    const t = FeatureTransform.fit(rows, { outputDim: 4 });
    const back = FeatureTransform.fromDocument(JSON.parse(JSON.stringify(t.toDocument())));
    const out = new Float32Array(4);
    expect(back.apply(rows[0] as Float32Array, out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(t.apply(rows[0] as Float32Array)));
  });

  it('projects like the textbook (x − mean)·Wᵀ for every block remainder (outputs 1…9, odd inputs)', () => {
    const d = 13;
    const rows = correlatedRows(40, d, 3);
    for (let m = 1; m <= 9; m++) {
      const pca = Pca.fit(rows, m);
      const x = rows[5] as Float32Array;
      const want = Array.from({ length: m }, (_, j) =>
        Array.from(pca.component(j)).reduce((s, w, i) => s + w * ((x[i] as number) - (pca.mean[i] as number)), 0),
      );
      Array.from(pca.apply(x)).forEach((y, j) => expect(y).toBeCloseTo(want[j] as number, 5));
    }
  });

  it('throws on a vector of the wrong dimension instead of passing it through', () => {
    const t = FeatureTransform.fit(correlatedRows(10, 6, 1), { outputDim: 2 });
    expect(() => t.apply(new Float32Array(5))).toThrow(/expected 6 input values/);
  });

  it('rejects an inconsistent document with the offending field', () => {
    const doc = { schemaVersion: 1, inputDim: 2, outputDim: 2, scaler: { mean: [0], scale: [1, 1] } };
    expect(() => FeatureTransform.fromDocument(doc)).toThrow(/scaler/);
  });
});

describe.skipIf(!existsSync(sklearnFixture))('FeatureTransform vs scikit-learn fixture', () => {
  type Fixture = Record<string, unknown> & {
    X: number[][];
    scaler: { mean: number[]; scale: number[] };
    pca: { mean: number[]; components: number[][]; explainedVarianceRatio?: number[] };
  };
  const fx = existsSync(sklearnFixture) ? (JSON.parse(readFileSync(sklearnFixture, 'utf8')) as Fixture) : undefined;
  const expected = (fx?.['expected'] ?? fx?.['transformed'] ?? fx?.['output'] ?? fx?.['Y']) as number[][] | undefined;

  it('applies the fixture parameters like sklearn.transform', () => {
    if (!fx || !expected) throw new Error('fixture has no expected output');
    const t = FeatureTransform.fromPrototypeProcessor(fx);
    fx.X.forEach((x, r) => expectClose(t.apply(Float32Array.from(x)), expected[r] ?? [], 1e-4));
  });

  it('fits the same scaler and components (up to float32 rounding) as sklearn', () => {
    if (!fx) return;
    const t = FeatureTransform.fit(
      fx.X.map((x) => Float32Array.from(x)),
      { outputDim: fx.pca.components.length },
    );
    expectClose(t.scaler?.mean ?? [], fx.scaler.mean, 1e-5);
    expectClose(t.scaler?.scale ?? [], fx.scaler.scale, 1e-5);
    // Same signs as sklearn's svd_flip(u_based_decision=False); differences are float32 input rounding.
    fx.pca.components.forEach((c, j) => expectClose(t.pca?.component(j) ?? [], c, 1e-4));
    expectClose(t.pca?.explainedVarianceRatio ?? [], fx.pca.explainedVarianceRatio ?? [], 1e-5);
    fx.X.forEach((x, r) => expectClose(t.apply(Float32Array.from(x)), expected?.[r] ?? [], 1e-4));
  });
});

describe.skipIf(!existsSync(path.join(scenario2, 'feature_processor.golden.json')))(
  'prototype feature processor',
  () => {
    it('reproduces the golden 1280→256 outputs of the prototype pickle', () => {
      const read = (f: string) => JSON.parse(readFileSync(path.join(scenario2, f), 'utf8'));
      const t = FeatureTransform.fromPrototypeProcessor(read('feature_processor.json'));
      const golden = read('feature_processor.golden.json') as { input: number[][]; output: number[][] };
      expect(t.outputDim).toBe(256);
      golden.input.forEach((x, r) => expectClose(t.apply(Float32Array.from(x)), golden.output[r] ?? [], 1e-4));
    });
  },
);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = expected[i] ?? 0;
    worst = Math.max(worst, Math.abs((actual[i] ?? 0) - e) / Math.max(1, Math.abs(e)));
  }
  expect(worst).toBeLessThan(tol);
}
