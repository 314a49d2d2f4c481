import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TinyMLOpsError } from '@tinymlops/contracts';

/** The lock file's name inside a PGlite data directory. */
export const LOCK_FILE = '.tinysphere.lock';

interface Holder {
  pid: number;
  host: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

async function holderOf(file: string): Promise<Holder | null> {
  try {
    const h = JSON.parse(await readFile(file, 'utf8')) as Partial<Holder>;
    return typeof h.pid === 'number' && typeof h.host === 'string' ? { pid: h.pid, host: h.host } : null;
  } catch {
    return null; // torn by a crash between create and write: nobody holds it
  }
}

function inUse(dir: string, file: string, h: Holder): TinyMLOpsError {
  const who = h.host === os.hostname() ? `process ${h.pid}` : `process ${h.pid} on ${h.host}`;
  return new TinyMLOpsError(
    'UNAVAILABLE',
    `the PGlite data directory ${dir} is in use by ${who} (a running tinysphere?); PGlite allows one process ` +
      `per directory: stop it first, or use the people API while it runs (if no such process runs, delete ${file})`,
  );
}

/**
 * Takes the data directory for this process: PGlite has no lock of its own, and a second process
 * on the same directory (an admin command beside a running server) printed success while its
 * write was lost. The lock is a file created exclusively, naming the process; one left by a
 * process that died (SIGKILL, power cut) on this host is taken over. Resolves with the release.
 * @example
 * const release = await lockDataDir('./.tinymlops/db'); … await release();
 */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const file = path.join(dir, LOCK_FILE);
  const me: Holder = { pid: process.pid, host: os.hostname() };
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      try {
        writeSync(fd, JSON.stringify(me));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const h = await holderOf(file);
      const stale = !h || (h.host === me.host && h.pid !== me.pid && !alive(h.pid));
      if (!stale || attempt > 0) throw inUse(dir, file, h ?? { pid: 0, host: 'unknown' });
      await rm(file, { force: true });
    }
  }
  // A normal exit that skips close() (an uncaught error) must not leave the lock behind either.
  const onExit = () => rmSync(file, { force: true });
  process.once('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    await rm(file, { force: true });
  };
}
