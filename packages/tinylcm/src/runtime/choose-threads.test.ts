import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../internal/test-paths.js';
import { loadFastestRuntime } from './choose-backend.js';
import { loadXnnpackAddon } from './xnnpack/xnnpack-addon.js';

/**
 * `threads: 'auto'`: one thread and all cores are timed at load and the faster is kept. Which one
 * wins depends on the machine and its load, so the test checks the bookkeeping, not the winner.
 */
const { addon, reason } = loadXnnpackAddon();
const tflite = () => new Uint8Array(readFileSync(path.join(REPO_ROOT, 'models/fashion-mnv2/model.tflite')));

describe.skipIf(!addon)(`threads: 'auto'${addon ? '' : ` — SKIPPED: ${reason}`}`, () => {
  it('times one thread and every core, keeps the faster, and says so in the choice', async () => {
    const sources = { tflite: tflite() };
    const { runtime, choice } = await loadFastestRuntime(sources, { modelName: 'fashion' }, { threads: 'auto' });
    try {
      const cores = Math.min(4, os.availableParallelism());
      expect(choice.backend).toBe('xnnpack');
      expect(choice.timed?.map((t) => t.threads)).toEqual(cores > 1 ? [1, cores] : [1]);
      const fastest = [...(choice.timed ?? [])].sort((a, b) => a.msMedian - b.msMedian)[0];
      expect(choice.threads).toBe(fastest?.threads);
      expect(runtime.threads).toBe(choice.threads);
      expect(choice.summary).toMatch(/timed at load: 1 → [\d.]+ ms/);
      const out = await runtime.run(new Uint8Array(112 * 112 * 3));
      expect(out.get(runtime.featureTensor)?.length).toBeGreaterThan(0);
    } finally {
      runtime.dispose();
    }
  });

  it('keeps a pinned count as it is, untimed', async () => {
    const { runtime, choice } = await loadFastestRuntime(
      { tflite: tflite() },
      { modelName: 'fashion' },
      { threads: 2 },
    );
    runtime.dispose();
    expect(choice.threads).toBe(2);
    expect(choice.timed).toBeUndefined();
  });
});
