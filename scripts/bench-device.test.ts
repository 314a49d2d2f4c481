import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/**
 * `npm run bench:device -- --json` must keep working on a fresh clone (no ../shared): this runs the
 * same script on the project's model only, briefly, without appending to docs/benchmarks.md.
 * No timing is asserted — the numbers depend on the machine.
 */
describe('bench/device-pipeline.ts', () => {
  it('prints a JSON array with one row per model, runner and V8 setting as its last line', () => {
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', 'bench/device-pipeline.ts', '--frames', '20', '--json', '--no-append', '--models', 'fashion-mnv2'], // prettier-ignore
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 110_000 },
    );
    const rows = JSON.parse(out.trim().split('\n').at(-1) ?? '') as Record<string, unknown>[];
    expect(rows.map((r) => `${String(r['runner'])} ${String(r['nodeFlags'])}`)).toEqual([
      'js ',
      'js --liftoff-only',
      'js --liftoff-only --max-semi-space-size=1',
      'tsx --liftoff-only',
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({ model: expect.stringContaining('fashion-mnv2'), frames: 20 });
      for (const key of ['inferenceMsMedian', 'overheadRatio', 'knnPredictUsMedian', 'transformMsMedian', 'peakRssMb'])
        expect(row[key], key).toBeGreaterThan(0);
    }
  }, 120_000);
});
