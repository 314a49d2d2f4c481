/** Anything holding records in memory that must be written before the process ends. */
interface Flushable {
  flush(): void;
}

const waiting = new Set<Flushable>();
let installed = false;

/**
 * Logs with unwritten records (`DataLogger` adds itself when it queues, removes itself when it has
 * written everything): flushed when the process exits — `process.exit`, the end of the event loop,
 * an uncaught exception. A crash that skips exit handlers (SIGKILL, a native fault) cannot.
 * @example
 * flushAtExit.add(log); // …records queued
 * flushAtExit.delete(log); // …all written
 */
export const flushAtExit = {
  add(log: Flushable): void {
    install();
    waiting.add(log);
  },
  delete(log: Flushable): void {
    waiting.delete(log);
  },
};

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    for (const log of waiting) {
      try {
        log.flush();
      } catch {
        // The process is ending; a log whose directory is gone has nowhere to write to.
      }
    }
  });
}
