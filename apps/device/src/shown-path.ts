import path from 'node:path';

/**
 * A path as a person reads it in the program's output: relative to the current folder when it
 * lies inside it (`examples/device-configs/tinylcm-data`), absolute otherwise (`/var/lib/tinylcm`).
 * @example
 * shownPath('/home/pi/tinymlops/data', '/home/pi/tinymlops'); // 'data'
 */
export function shownPath(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p);
  if (rel === '') return '.';
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}
