import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix marker of temp files written by {@link writeFileAtomic}; stores clean up leftovers by it. */
export const TEMP_MARKER = '.tmp-';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file (default 0o644). Applied at creation, so the content is never readable by others. */
  mode?: number;
}

/**
 * Writes `data` to `path` so that a reader (or a process restarted after a crash) sees either the
 * old content or the complete new content, never a mix: temp file → fsync → rename → fsync dir.
 * @example
 * await writeFileAtomic('/var/lib/tinylcm/credentials.json', JSON.stringify(creds), { mode: 0o600 });
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  const temp = join(dirname(path), `${basename(path)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
  const handle = await open(temp, 'wx', options.mode ?? 0o644);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(temp, { force: true });
    throw err;
  }
  await handle.close();
  await rename(temp, path);
  await fsyncDir(dirname(path));
}

/**
 * Flushes a directory entry table, so a rename or unlink inside it survives a power cut.
 * @example
 * await unlink(file); await fsyncDir(dirname(file));
 */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
