// Preloaded into the soak's API process (`node --expose-gc --import memory-probe.mjs …`), never
// into a production server. It appends one JSON line per sample to $SOAK_MEMORY_FILE:
// `process.memoryUsage()` every $SOAK_MEMORY_EVERY_MS (default 5000) as `{"kind":"sample",…}`, so
// the soak can tell the JS heap (heapUsed, heapTotal) from buffers (arrayBuffers, external) and
// from what only RSS sees (malloc's retained memory). On SIGUSR2 it runs full garbage collections
// and writes `{"kind":"gc",…}`; with $SOAK_SNAPSHOT_DIR set it also writes a heap snapshot there.
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';

const file = process.env.SOAK_MEMORY_FILE;
if (file) {
  const every = Number(process.env.SOAK_MEMORY_EVERY_MS || 5000);
  // The young generation's size too: V8 grows it under a burst of allocation and keeps it a while.
  const newSpace = () => v8.getHeapSpaceStatistics().find((x) => x.space_name === 'new_space')?.space_size ?? 0;
  const write = (kind, usage, extra) =>
    appendFileSync(
      file,
      `${JSON.stringify({ kind, pid: process.pid, t: Date.now(), ...usage, newSpace: newSpace(), ...extra })}\n`,
    );
  setInterval(() => write('sample', process.memoryUsage()), every).unref();
  let snapshots = 0;
  process.on('SIGUSR2', () => {
    // Two passes: the first runs finalizers that free what the second collects.
    globalThis.gc?.();
    globalThis.gc?.();
    // Read before the snapshot: writing one grows RSS by about the heap's size for a while.
    const usage = process.memoryUsage();
    const dir = process.env.SOAK_SNAPSHOT_DIR;
    const snapshot = dir
      ? v8.writeHeapSnapshot(path.join(dir, `api-${process.pid}-${++snapshots}.heapsnapshot`))
      : null;
    write('gc', usage, { snapshot });
  });
}
