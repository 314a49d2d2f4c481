/**
 * Runs one start-up step with progress: a line when it starts, an elapsed-seconds counter while it
 * runs (redrawn on a terminal, every 5 s in a log), and the time it took. Returns its result.
 * @example
 * const token = await step('starting TinySphere', () => TinySphereProcess.start(o));
 */
export async function step<T>(
  label: string,
  work: () => Promise<T>,
  out: NodeJS.WriteStream = process.stdout,
): Promise<T> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  out.write(out.isTTY ? `${label} …` : `${label} …\n`);
  const timer = setInterval(() => {
    if (out.isTTY) out.write(`\r${label} … ${seconds()} s\x1b[K`);
    else if (Math.round((Date.now() - started) / 1000) % 5 === 0) out.write(`${label} … ${seconds()} s\n`);
  }, 1000);
  timer.unref();
  try {
    const result = await work();
    out.write(`${out.isTTY ? '\r' : ''}${label}: done in ${seconds()} s${out.isTTY ? '\x1b[K' : ''}\n`);
    return result;
  } catch (err) {
    out.write(`${out.isTTY ? '\r' : ''}${label}: failed after ${seconds()} s${out.isTTY ? '\x1b[K' : ''}\n`);
    throw err;
  } finally {
    clearInterval(timer);
  }
}
