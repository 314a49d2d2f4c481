import { describe, expect, it } from 'vitest';
import type { MemoryAfterGc } from '../bench/soak/api-memory.js';
import { memoryVerdict, type RoundFigures } from '../bench/soak/memory-verdict.js';
import { serverMallocEnv, serverNodeFlags } from '../bench/soak/soak-services.js';

const gc = (rssMb: number, heapUsedMb = 50): MemoryAfterGc => ({
  rssMb,
  heapUsedMb,
  heapTotalMb: 80,
  externalMb: 4,
  arrayBuffersMb: 0,
  rssTrimmedMb: null,
});
const round = (n: number, rssMb: number, gcRss: number, heapUsedMb = 50): RoundFigures => ({
  round: n,
  fds: 600,
  fileFds: 19,
  rssMb,
  heapUsedMb,
  heapTotalMb: 90,
  externalMb: 4,
  gc: gc(gcRss, heapUsedMb),
});

describe("the soak's memory verdict", () => {
  it('passes memory back within 10 % of the start and flat from round to round', () => {
    const v = memoryVerdict({ rssMb: 160 }, gc(150), [round(1, 170, 160), round(3, 175, 162)], 300);
    expect(v.checks.filter((c) => !c.ok)).toEqual([]);
    expect(v.ok).toBe(true);
  });

  it('fails RSS more than 10 % above its start after the last fault, as the issue asks', () => {
    const v = memoryVerdict({ rssMb: 162 }, gc(150), [round(1, 175, 165), round(3, 181, 166)], 300);
    expect(v.ok).toBe(false);
    expect(v.checks.find((c) => !c.ok)?.check).toMatch(/^RSS: at the load's start 162 MB, after the last round 181 MB/);
  });

  it('fails a heap that grows from round to round, and RSS over the ceiling', () => {
    expect(memoryVerdict({ rssMb: 200 }, gc(150), [round(1, 170, 160, 50), round(3, 175, 162, 60)], 300).ok).toBe(
      false,
    );
    expect(memoryVerdict({ rssMb: 400 }, gc(150), [round(1, 310, 160), round(3, 310, 162)], 300).ok).toBe(false);
  });

  it("starts the servers with the production image's Node flags", () => {
    expect(serverNodeFlags()).toEqual(['--max-semi-space-size=8']);
    expect(serverMallocEnv()).toEqual({ MALLOC_MMAP_THRESHOLD_: '131072' });
  });
});
