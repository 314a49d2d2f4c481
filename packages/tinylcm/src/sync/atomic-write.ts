import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Suffix marker of temp files written by {@link writeFileAtomic}; stores clean up leftovers by it. */
export const TEMP_MARKER = '.tmp-';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** File mode of the new file (default 0o644). Applied at creation, so the content is never readable by others. */
  mode?: number;
  /**
   * Flush to the disk before and after the rename (default true). `false` keeps the all-or-nothing
   * swap for readers but not across a power cut, for files that are informative only: the fsyncs
   * are most of the write's cost.
   */
  durable?: boolean;
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
  const temp = tempPathFor(path);
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
 * The synchronous twin of {@link writeFileAtomic}, for callers that must not yield between deciding
 * and writing (the state store, the data logger): same temp naming, same fsync → rename → fsync dir.
 * @example
 * writeFileAtomicSync('state/state-0000000007.json', body, { mode: 0o600 });
 */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  const temp = tempPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const fd = openSync(temp, 'wx', options.mode ?? 0o644);
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    if (options.durable !== false) fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(temp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
  if (options.durable === false) return;
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd); // the rename itself must survive a power cut
  } finally {
    closeSync(dirFd);
  }
}

function tempPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}${TEMP_MARKER}${randomBytes(6).toString('hex')}`);
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
