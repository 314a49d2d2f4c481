/**
 * How the soak judges the API's memory. A leak grows with every round of faults; a high-water
 * mark (V8 keeping a heap it grew, malloc keeping freed pages) is reached once and then stays.
 * So the checks compare the rounds one API process lives through, after forced full GCs: JS heap
 * in use and RSS not growing from round to round, RSS under a stated ceiling throughout. And the
 * issue's own figure: RSS after the last round (raw, the fleet still running) within 10 % of RSS
 * when the fleet's load began (the first API process, which the soak later SIGKILLs). The JS heap
 * against the first API process's start is reported, not judged (see below).
 */
import type { Figures } from './api-figures.js';
import type { MemoryAfterGc } from './api-memory.js';

/** The API's figures at the end of one fault round, with its memory after forced GCs. */
export interface RoundFigures extends Figures {
  round: number;
  gc: MemoryAfterGc;
}

/** One check of the verdict, with the numbers it compared; an `informational` one fails nothing. */
export interface MemoryCheck {
  check: string;
  ok: boolean;
  informational?: true;
}

const GROWTH = 1.1;

/**
 * The memory checks; `ok` when all pass.
 * @example
 * const v = memoryVerdict(start, startGc, rounds, 400); // { ok: true, checks: [{ check: 'RSS …', ok: true }, …] }
 */
export function memoryVerdict(
  start: Pick<Figures, 'rssMb'>,
  startGc: MemoryAfterGc,
  rounds: readonly RoundFigures[],
  rssCeilingMb: number,
): { ok: boolean; checks: MemoryCheck[] } {
  const first = rounds[0]!.gc;
  const last = rounds.at(-1)!.gc;
  const peakRss = Math.max(...rounds.map((r) => r.rssMb), ...rounds.map((r) => r.gc.rssMb));
  const end = rounds.at(-1)!;
  const checks: MemoryCheck[] = [
    {
      check: `RSS: at the load's start ${start.rssMb} MB, after the last round ${end.rssMb} MB (≤ +10 %)`,
      ok: end.rssMb <= start.rssMb * GROWTH,
    },
    {
      // Another process: the restarted API has parsed its bundle's source map (the first error
      // stack it formats, ~3 MB) and compiled more code; a heap snapshot diff shows no more.
      check: `JS heap used after GC: first API at start ${startGc.heapUsedMb} MB, last round ${last.heapUsedMb} MB (≤ +10 %; informational)`,
      ok: last.heapUsedMb <= startGc.heapUsedMb * GROWTH,
      informational: true,
    },
    {
      check: `JS heap used after GC: round 1 ${first.heapUsedMb} MB, last round ${last.heapUsedMb} MB (≤ +10 %)`,
      ok: last.heapUsedMb <= first.heapUsedMb * GROWTH,
    },
    {
      check: `RSS after GC: round 1 ${first.rssMb} MB, last round ${last.rssMb} MB (≤ +10 %)`,
      ok: last.rssMb <= first.rssMb * GROWTH,
    },
    {
      check: `RSS at every round's end: highest ${peakRss} MB (ceiling ${rssCeilingMb} MB)`,
      ok: peakRss <= rssCeilingMb,
    },
  ];
  return { ok: checks.every((c) => c.ok || c.informational), checks };
}
