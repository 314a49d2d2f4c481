import { mkdir, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fuzzIngest } from './fuzz-ingest.js';
import { fuzzThroughServer } from './fuzz-server.js';
import { STRATEGIES } from './hostile-packages.js';
import { LOADER_CACHE, watchWrites } from './write-watch.js';

/**
 * A short run of the ingest fuzzer in every `npm test`; CI runs 100,000 cases with `npm run fuzz`.
 * Both prove the same: no generated package crashes the reader or the ingest path (every one is
 * accepted or refused with a 4xx code), and nothing is written outside the blob store.
 */
describe('ingest fuzzer (short run)', () => {
  it('refuses or accepts 2,400 hostile packages cleanly, writing only into the store', async () => {
    const r = await fuzzIngest({ seed: 7, count: 2400, crashDir: 'test-results/fuzz-crashes' });
    expect(r.crashes).toEqual([]);
    expect(r.writesOutside).toEqual([]);
    expect(r.cases).toBe(2400);
    // The fuzzer reaches every layer: each strategy is refused somewhere, and valid packages pass.
    for (const s of STRATEGIES) expect(r.byStrategy[s].refused, s).toBeGreaterThan(0);
    expect(r.byStrategy.valid.accepted).toBeGreaterThan(0.9 * (2400 / STRATEGIES.length));
    expect(Object.keys(r.refusals)).toEqual(expect.arrayContaining(['INVALID_ARCHIVE', 'VALIDATION_FAILED']));
  }, 300_000);

  it('answers every upload below 500 and settles every package on its first attempt', async () => {
    const r = await fuzzThroughServer(7, 0, 160);
    expect(r.faults).toEqual([]);
    expect(r.writesOutside).toEqual([]);
    expect((r.outcomes['ingested'] ?? 0) + (r.outcomes['failed'] ?? 0)).toBe(r.cases);
    expect(r.outcomes['ingested']).toBeGreaterThan(0);
  }, 300_000);

  it('sees a write outside the store (so "0 writes outside" means something)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'write-watch-'));
    const watch = watchWrites(path.join(dir, 'store'));
    await writeFile(path.join(dir, 'store-sibling.txt'), 'x');
    await writeFile(path.join(dir, 'store', '..', 'escape.txt'), 'x').catch(() => {});
    // tsx's compile cache is its own (a cold one, on a fresh CI machine, failed the run); a
    // sibling with the same prefix is not.
    await mkdir(LOADER_CACHE, { recursive: true });
    const cached = path.join(LOADER_CACHE, `write-watch-${process.pid}`);
    await writeFile(cached, 'x');
    await unlink(cached);
    await writeFile(`${LOADER_CACHE}-sibling-${process.pid}`, 'x').catch(() => {});
    const outside = watch.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(`${LOADER_CACHE}-sibling-${process.pid}`, { force: true });
    expect(outside).toEqual([
      `writeFile ${path.join(dir, 'store-sibling.txt')}`,
      `writeFile ${path.join(dir, 'store', '..', 'escape.txt')}`,
      `writeFile ${LOADER_CACHE}-sibling-${process.pid}`,
    ]);
  });
});
