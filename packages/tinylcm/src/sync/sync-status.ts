import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Timestamp } from '@tinymlops/contracts';
import { z } from 'zod';
import { writeFileAtomicSync } from './atomic-write.js';

/**
 * `<stateDir>/sync-status.json`, rewritten after every round so another process (the device's
 * `status` command) can tell when the device last reached the server. A local file, not a wire shape.
 */
export const SyncStatus = z.strictObject({
  schemaVersion: z.literal(1),
  lastRoundAt: Timestamp,
  lastSuccessAt: Timestamp.optional(),
  lastError: z.string().optional(),
  consecutiveFailures: z.number().int().nonnegative(),
  outbox: z.strictObject({
    bytes: z.number().int().nonnegative(),
    packages: z.number().int().nonnegative(),
    droppedPackages: z.number().int().nonnegative(),
  }),
});
export type SyncStatus = z.infer<typeof SyncStatus>;

const FILE = 'sync-status.json';

/**
 * Saves the status after a round (atomically, so a reader never sees half a file). It is informative
 * only, so it is not flushed to the disk: a power cut may lose the last round's status, and flushing
 * twice per round was most of an offline round's CPU.
 * @example
 * await writeSyncStatus(stateDir, { schemaVersion: 1, lastRoundAt: new Date().toISOString(), consecutiveFailures: 0,
 *   outbox: { bytes: 0, packages: 0, droppedPackages: 0 } });
 */
export async function writeSyncStatus(stateDir: string, status: SyncStatus): Promise<void> {
  writeFileAtomicSync(join(stateDir, FILE), `${JSON.stringify(status, null, 2)}\n`, { durable: false });
}

/**
 * Reads the last saved status; `undefined` if no round has run yet or the file is unreadable.
 * @example
 * const s = await readSyncStatus('/var/lib/tinylcm/state');
 * console.log(s?.lastSuccessAt ?? 'never synced');
 */
export async function readSyncStatus(stateDir: string): Promise<SyncStatus | undefined> {
  const text = await readFile(join(stateDir, FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = SyncStatus.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
