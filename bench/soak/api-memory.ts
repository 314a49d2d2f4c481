/**
 * The API process's memory as the soak judges it, read through `memory-probe.mjs` (preloaded into
 * the API): what is left after forced full garbage collections, so that memory still in use (a
 * leak) can be told from memory V8 or malloc keeps after a peak; and what malloc would give back
 * (`malloc_trim(0)` called through gdb, when gdb is installed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { processFigures, sleep } from './soak-services.js';

/** One line of the probe's file (`process.memoryUsage()` plus when and which process). */
interface ProbeLine {
  kind: 'sample' | 'gc';
  pid: number;
  t: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** The API's memory after forced GCs, MB. `rssTrimmedMb`: RSS after malloc_trim (null without gdb). */
export interface MemoryAfterGc {
  rssMb: number;
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  arrayBuffersMb: number;
  rssTrimmedMb: number | null;
}

const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

function probeLines(file: string): ProbeLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ProbeLine);
}

/** Calls glibc's malloc_trim(0) in `pid` through gdb; false when gdb is missing or fails. */
function mallocTrim(pid: number): boolean {
  const r = spawnSync('gdb', ['-p', String(pid), '-batch', '-ex', 'call (int) malloc_trim(0)'], {
    stdio: 'ignore',
    timeout: 60_000,
  });
  return r.status === 0;
}

/**
 * Forces full GCs in the API (SIGUSR2 to the probe) and waits for its report; with `trim`, then
 * also calls malloc_trim and reads RSS again.
 * @example
 * const m = await memoryAfterGc(api.pid, probeFile, { trim: true }); // { heapUsedMb: 41, rssMb: 150, … }
 */
export async function memoryAfterGc(pid: number, file: string, o: { trim: boolean }): Promise<MemoryAfterGc> {
  const before = probeLines(file).filter((l) => l.kind === 'gc' && l.pid === pid).length;
  process.kill(pid, 'SIGUSR2');
  let report: ProbeLine | undefined;
  for (let i = 0; i < 600 && !report; i++) {
    await sleep(100);
    report = probeLines(file).filter((l) => l.kind === 'gc' && l.pid === pid)[before];
  }
  if (!report) throw new Error(`soak: the API (pid ${pid}) did not report its memory after GC within 60 s`);
  const trimmed = o.trim && mallocTrim(pid) ? processFigures(pid).rssMb : null;
  return {
    rssMb: mb(report.rss),
    heapUsedMb: mb(report.heapUsed),
    heapTotalMb: mb(report.heapTotal),
    externalMb: mb(report.external),
    arrayBuffersMb: mb(report.arrayBuffers),
    rssTrimmedMb: trimmed,
  };
}

/** Highest RSS, heap total, heap used and arrayBuffers the probe saw in each API process, MB. */
export function memoryPeaks(file: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const l of probeLines(file)) {
    const p = (out[`pid ${l.pid}`] ??= { samples: 0, rssMb: 0, heapTotalMb: 0, heapUsedMb: 0, arrayBuffersMb: 0 });
    p.samples = (p.samples ?? 0) + 1;
    for (const k of ['rss', 'heapTotal', 'heapUsed', 'arrayBuffers'] as const)
      p[`${k}Mb`] = Math.max(p[`${k}Mb`] ?? 0, mb(l[k]));
  }
  return out;
}
