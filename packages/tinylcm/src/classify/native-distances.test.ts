import path from 'node:path';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import { loadXnnpackAddon } from '../runtime/xnnpack/xnnpack-addon.js';
import { ROW_METRICS } from './distance.js';
import { knnFromDocument } from './knn-state.js';
import { nativeSquaredDistances } from './native-distances.js';

/**
 * The native Euclidean scan (float32 SIMD lanes) against the JavaScript one (float64): keys equal
 * within 1e-5 relative, and the accelerated KNN predicts what the JavaScript KNN predicts — same
 * label, same neighbours in the same order, distances and confidence within 1e-5 relative.
 */
const { addon, reason } = loadXnnpackAddon();

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const close = (a: number, b: number, rel: number) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12);

describe.skipIf(!addon)(`native KNN scan${addon ? '' : ` — SKIPPED: ${reason}`}`, () => {
  it('gives the JavaScript keys within 1e-5 relative, for any dimension (tails included)', () => {
    const scan = nativeSquaredDistances();
    expect(scan).toBeDefined();
    const rand = rng(11);
    for (const dim of [1, 7, 16, 33, 256, 1280]) {
      const count = 37;
      const rows = Float32Array.from({ length: count * dim }, () => rand() * 4 - 2);
      const q = Float32Array.from({ length: dim }, () => rand() * 4 - 2);
      const keys = new Float64Array(count);
      scan?.(q, rows, count, keys);
      for (let r = 0; r < count; r++) {
        const js = ROW_METRICS.euclidean.key(q, 0, rows, r, 0, dim, Infinity);
        expect(close(keys[r] as number, js, 1e-5), `dim ${dim} row ${r}: ${keys[r]} vs ${js}`).toBe(true);
      }
    }
  });

  it('refuses vectors that do not fit instead of reading past them', () => {
    const scan = nativeSquaredDistances();
    expect(() => scan?.(new Float32Array(4), new Float32Array(7), 2, new Float64Array(2))).toThrow(/sizes/);
    expect(() => scan?.(new Float32Array(4), new Float32Array(8), 2, new Float64Array(1))).toThrow(/sizes/);
  });

  it('predicts as the JavaScript KNN on fashion-mnv2’s state, gated and ungated', () => {
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'models/fashion-mnv2/knn-state.json'), 'utf8'));
    const labels: string[] = [...new Set(doc.labels as string[])];
    const gate = { novelClassGate: { knownClasses: labels.slice(0, Math.ceil(labels.length / 2)) } };
    for (const options of [{}, gate]) {
      const js = knnFromDocument(doc, options);
      const native = knnFromDocument(doc, options);
      expect(js.metric).toBe('euclidean');
      expect(native.accelerate()).toBe(true);
      const rand = rng(5);
      for (let t = 0; t < 60; t++) {
        // Near a stored sample (the common case) or anywhere (the drift case).
        const base = js.store.row(Math.floor(rand() * js.size));
        const q = Float32Array.from(base, (v) => (t % 3 === 0 ? rand() * 4 - 2 : v + (rand() - 0.5) * 0.5));
        const a = structuredClone(js.predict(q));
        const b = native.predict(q);
        expect(b.label).toBe(a.label);
        expect(b.neighbours.map((n) => n.index)).toEqual(a.neighbours.map((n) => n.index));
        b.neighbours.forEach((n, j) => expect(close(n.distance, a.neighbours[j]?.distance ?? NaN, 1e-5)).toBe(true));
        expect(close(b.confidence, a.confidence, 1e-5)).toBe(true);
        expect(close(b.meanDistance, a.meanDistance, 1e-5)).toBe(true);
      }
    }
  });

  it('leaves the cosine and Manhattan metrics on the JavaScript path', () => {
    const doc = JSON.parse(readFileSync(path.join(REPO_ROOT, 'models/fashion-mnv2/knn-state.json'), 'utf8'));
    expect(knnFromDocument({ ...doc, metric: 'cosine' }).accelerate()).toBe(false);
  });
});
