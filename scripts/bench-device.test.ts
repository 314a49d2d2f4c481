import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench:device -- --json` must keep working on a fresh clone (no ../shared, maybe no
 * XNNPACK addon, no TF Lite comparator): this runs the same script on the project's model only,
 * briefly, without appending to docs/benchmarks.md, with the comparator pointed at a Python that
 * does not exist (so it must say so and leave every ratio null). No timing is asserted.
 */
describe('bench/device-pipeline.ts', () => {
  it('prints one JSON row per backend setting as its last line, the launcher row first', () => {
    const args = ['--import', 'tsx', 'bench/device-pipeline.ts', '--frames', '20', '--warm-up', '30', '--json'];
    const out = execFileSync(process.execPath, [...args, '--no-append', '--models', 'fashion-mnv2'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 280_000,
      env: { ...process.env, TINYMLOPS_TFLITE_PYTHON: '/nonexistent/python3' },
    });
    expect(out).toMatch(/!! TF Lite comparator failed .*ratioToTfLite is null/);
    const rows = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>[];
    const [launcher, ...rest] = rows;
    expect(launcher).toMatchObject({
      backendRequested: 'auto',
      launcherDefault: true,
      nodeFlags: '--liftoff-only --max-semi-space-size=1',
    });
    expect(rest.every((r) => r['launcherDefault'] === undefined)).toBe(true);
    const settings = rows.map((r) => `${String(r['backend'])}×${String(r['threads'])} ${String(r['nodeFlags'])}`);
    expect(settings).toEqual(expect.arrayContaining(['litert×1 ', 'litert×1 --liftoff-only', 'litert×2 ']));
    for (const row of rows) {
      expect(row).toMatchObject({ model: expect.stringContaining('fashion-mnv2'), frames: 20, ratioToTfLite: null });
      // The JIT warm-up asked for (30 frames, far below its time cap), then the comparator's 10.
      expect(row['warmUpFrames']).toBe(40);
      expect(['xnnpack', 'onnx', 'litert']).toContain(row['backend']);
      // One thread: the pipeline thread's CPU clock where the XNNPACK addon is built, else the process's.
      const clocks =
        Number(row['threads']) > 1 ? ['wall'] : row['backend'] === 'xnnpack' ? ['thread'] : ['thread', 'cpu'];
      expect(clocks).toContain(row['clock']);
      for (const key of ['inferenceMsMedian', 'overheadRatio', 'knnPredictUsMedian', 'peakRssMb'])
        expect(row[key], key).toBeGreaterThan(0);
      // A transform folded into the model's call has no stage of its own.
      if (row['transformInModel'] === true) expect(row['transformMsMedian']).toBe(0);
      else expect(row['transformMsMedian']).toBeGreaterThan(0);
    }
  }, 300_000);
});
