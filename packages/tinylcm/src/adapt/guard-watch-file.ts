import { existsSync, readFileSync, rmSync } from 'node:fs';
import { writeFileAtomicSync } from '../sync/atomic-write.js';

/** What survives a reboot of an open guard watch: the frames seen so far do not (the window restarts). */
export interface PersistedWatch {
  since: number;
  baseline: { frames: number; confidence: number; distance: number; accuracy: number | undefined };
  sampleIds: string[];
}

/**
 * Writes the open watch atomically, or removes the file when no watch is open.
 * @example
 * saveWatch('data/guard-watch.json', { since: 7, baseline, sampleIds: ['smp_00000001'] });
 */
export function saveWatch(file: string, watch: PersistedWatch | undefined): void {
  if (watch) writeFileAtomicSync(file, `${JSON.stringify(watch)}\n`);
  else rmSync(file, { force: true });
}

/**
 * Reads a watch saved by {@link saveWatch}; undefined when there is none or it does not parse
 * (a watch is a safety net: a damaged one is dropped, never a reason not to boot).
 * @example
 * const watch = loadWatch('data/guard-watch.json'); // { since: 7, … } after a reboot mid-watch
 */
export function loadWatch(file: string): PersistedWatch | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const w = JSON.parse(readFileSync(file, 'utf8')) as PersistedWatch;
    const b = w.baseline;
    const ok =
      Number.isInteger(w.since) &&
      w.since >= 0 &&
      Array.isArray(w.sampleIds) &&
      w.sampleIds.every((s) => typeof s === 'string') &&
      [b?.frames, b?.confidence, b?.distance].every((x) => typeof x === 'number' && Number.isFinite(x));
    return ok ? { since: w.since, baseline: { ...b, accuracy: b.accuracy ?? undefined }, sampleIds: w.sampleIds } : undefined; // prettier-ignore
  } catch {
    return undefined;
  }
}
