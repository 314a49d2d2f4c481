import { existsSync, readFileSync, rmSync } from 'node:fs';
import { z } from 'zod';
import { writeFileAtomicSync } from '../sync/atomic-write.js';

/** What survives a reboot of an open guard watch: the frames seen so far do not (the window restarts). */
export interface PersistedWatch {
  since: number;
  baseline: { frames: number; confidence: number; distance: number; accuracy: number | undefined };
  sampleIds: string[];
}

/** The file's shape (device-local state, not a wire shape); numbers are finite. */
const WatchFile = z.object({
  since: z.number().int().nonnegative(),
  baseline: z.object({
    frames: z.number(),
    confidence: z.number(),
    distance: z.number(),
    accuracy: z.number().nullish(),
  }),
  sampleIds: z.array(z.string()),
});

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
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const w = WatchFile.safeParse(json);
  if (!w.success) return undefined;
  const { since, baseline, sampleIds } = w.data;
  return { since, baseline: { ...baseline, accuracy: baseline.accuracy ?? undefined }, sampleIds };
}
