import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('./fixtures/ingest-memory-run.ts', import.meta.url));

/**
 * What ingestion may add to the process's RSS, whatever the archives contain: its budget (192 MiB
 * by default) plus, per worker loop, the one package it has just read and the copy its batch
 * blob is made from. Without a budget in bytes, 8 such packages (one batch) added ~1 GiB and 32
 * added ~2 GB (probe finding 4); with it, ~300 MB whatever their number.
 */
const CEILING_MB = 512;

describe('ingestion memory (probe finding 4)', () => {
  it(`stays under ${CEILING_MB} MB above its start for packages of ~1 MB that extract to 63 MiB each`, async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', RUN, '8'], {
      maxBuffer: 1 << 20,
    });
    const r = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
      count: number;
      packageMb: number;
      beforeMb: number;
      peakMb: number;
      ingested: number;
    };
    expect(r.ingested).toBe(8);
    expect(r.packageMb).toBeLessThan(1.5);
    expect(r.peakMb - r.beforeMb).toBeLessThan(CEILING_MB);
  }, 600_000);
});
