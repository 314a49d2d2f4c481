/**
 * Records every filesystem write, create, rename or delete the process makes, by path, so the
 * ingest fuzzer can prove that no hostile archive made the server touch anything outside its
 * blob store. Install it BEFORE importing the code under test: modules that wrap fs functions
 * at load (promisify) keep the originals. Test-only code.
 */
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import os from 'node:os';
import path from 'node:path';

/**
 * tsx's compile cache: the TypeScript loader writes there when a lazily imported module is first
 * compiled (always, on a fresh clone). That is the test harness, not the server.
 */
const LOADER_CACHE = path.join(os.tmpdir(), `tsx-${process.getuid?.() ?? ''}`);

/** fs functions that write, and which of their arguments are paths. */
const WRITERS: Record<string, number[]> = {
  writeFile: [0],
  appendFile: [0],
  mkdir: [0],
  rename: [0, 1],
  copyFile: [1],
  symlink: [1],
  link: [1],
  unlink: [0],
  rm: [0],
  rmdir: [0],
  truncate: [0],
  utimes: [0],
  chmod: [0],
  createWriteStream: [0],
};

const WRITE_FLAGS = /[wa+x]/;

function writes(name: string, args: unknown[]): string[] {
  if (name === 'open' || name === 'openSync') {
    const flags = args[1];
    const w =
      typeof flags === 'number'
        ? (flags & (fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT)) !== 0
        : WRITE_FLAGS.test(String(flags ?? 'r'));
    return w ? [String(args[0])] : [];
  }
  const base = name.replace(/Sync$/, '');
  return (WRITERS[base] ?? [])
    .map((i) => args[i])
    .filter((p) => typeof p === 'string' || p instanceof URL)
    .map(String);
}

/**
 * Starts recording; `stop()` restores fs and returns every path written outside `root`.
 * @example
 * const watch = watchWrites(storeRoot); … const outside = watch.stop(); // []
 */
export function watchWrites(root: string): { stop(): string[] } {
  const outside: string[] = [];
  const under = (dir: string, p: string) => {
    const rel = path.relative(dir, path.resolve(p));
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  const inside = (p: string) => under(root, p) || under(LOADER_CACHE, p);
  const restore: (() => void)[] = [];
  const targets: [Record<string, unknown>, string][] = [];
  for (const name of [...Object.keys(WRITERS), 'open']) {
    targets.push(
      [fs as unknown as Record<string, unknown>, name],
      [fs as unknown as Record<string, unknown>, `${name}Sync`],
    );
    targets.push([fs.promises as unknown as Record<string, unknown>, name]);
  }
  for (const [obj, name] of targets) {
    const original = obj[name];
    if (typeof original !== 'function') continue;
    obj[name] = function (this: unknown, ...args: unknown[]) {
      for (const p of writes(name, args)) if (!inside(p)) outside.push(`${name} ${p}`);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    restore.push(() => (obj[name] = original));
  }
  syncBuiltinESMExports();
  return {
    stop() {
      for (const r of restore) r();
      syncBuiltinESMExports();
      return outside;
    },
  };
}
