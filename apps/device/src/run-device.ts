import { EdgeDevice, type PipelineResult, type SyncLogger } from '@tinymlops/tinylcm';
import { loadDeviceConfig } from './load-device-config.js';
import { createFrameSource } from './sources/create-frame-source.js';
import type { SourceFrame } from './sources/frame-source.js';

/** Options of {@link runDevice}. */
export interface RunDeviceOptions {
  configFile: string;
  /** Stop after this many frames (default: run until SIGINT/SIGTERM). */
  maxFrames?: number;
  /** Print one line per this many frames (0 = only drift events). */
  reportEvery?: number;
  out?: (line: string) => void;
  /** Resolves when the device should stop (the CLI wires SIGINT/SIGTERM to it). */
  stopSignal?: Promise<void>;
  /**
   * Longest wait for shutdown work once stopping (default 1500 ms): a sync round stuck on the
   * network is abandoned after it (the outbox keeps every package), so a stop never hangs.
   */
  shutdownMs?: number;
}

/** What a run did. */
export interface RunSummary {
  frames: number;
  episodesStarted: number;
  episodesEnded: number;
  seconds: number;
}

const STOP: unique symbol = Symbol('stop');

/**
 * Runs a device from its config file until the source ends, `maxFrames` is reached or the stop
 * signal fires; then flushes telemetry to the outbox and stops sync (nothing is lost on Ctrl-C).
 * The stop signal is honoured at once even while the source waits for a frame (a hanging camera
 * command is killed, not waited for).
 * @example
 * await runDevice({ configFile: 'device.json', maxFrames: 500 });
 */
export async function runDevice(o: RunDeviceOptions): Promise<RunSummary> {
  const out = o.out ?? ((line: string) => console.log(line));
  const { config, baseDir } = await loadDeviceConfig(o.configFile);
  const device = await EdgeDevice.open({ config, baseDir, logger: prefixedLogger('[sync]', out) });
  const { id, version } = device.pipeline.bundle.manifest;
  const name = config.name ?? 'device';
  out(`tinylcm-device: ${name} running ${id}@${version} in ${config.mode} mode; data in ${device.dataDir.root}`);
  device.startSync();
  const sourceOptions = {
    warn: (m: string) => out(`[source] ${m}`),
    ...(o.maxFrames ? { maxFrames: o.maxFrames } : {}),
  };
  const source = createFrameSource(config.source, baseDir, sourceOptions);
  const stopped = (o.stopSignal ?? new Promise<never>(() => undefined)).then((): typeof STOP => STOP);
  const summary: RunSummary = { frames: 0, episodesStarted: 0, episodesEnded: 0, seconds: 0 };
  const t0 = Date.now();
  const frames = source.frames()[Symbol.asyncIterator]();
  try {
    for (;;) {
      const next = await nextOrStop(frames, stopped);
      if (next === STOP || next.done) break;
      const started = Date.now();
      report(await device.process(next.value.frame), summary, out, o.reportEvery ?? 100);
      if (o.maxFrames && summary.frames >= o.maxFrames) break;
      const wait = config.inference.intervalMs - (Date.now() - started);
      if (wait > 0 && (await Promise.race([delay(wait), stopped])) === STOP) break;
    }
  } finally {
    await shutdown(o.shutdownMs ?? 1500, out, [source.close(), device.close(o.shutdownMs ?? 1500)]);
  }
  summary.seconds = (Date.now() - t0) / 1000;
  const episodes = `${summary.episodesStarted} started, ${summary.episodesEnded} ended`;
  out(`stopped after ${summary.frames} frames in ${summary.seconds.toFixed(1)} s; drift episodes: ${episodes}`);
  return summary;
}

/** The next frame, or STOP if the stop signal fires first (a read left behind must not crash the process). */
async function nextOrStop(
  frames: AsyncIterator<SourceFrame>,
  stopped: Promise<typeof STOP>,
): Promise<IteratorResult<SourceFrame> | typeof STOP> {
  const next = frames.next();
  const r = await Promise.race([next, stopped]);
  if (r === STOP) next.catch(() => undefined);
  return r;
}

/** Waits for the shutdown work, but never longer than `ms`. */
async function shutdown(ms: number, out: (line: string) => void, work: Promise<unknown>[]): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), ms)));
  const done = await Promise.race([Promise.all(work), late]).finally(() => clearTimeout(timer));
  if (done === 'late') out(`shutdown took longer than ${ms} ms; stopping anyway (the outbox keeps its packages)`);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function prefixedLogger(prefix: string, out: (line: string) => void): SyncLogger {
  const line = (msg: string, ctx?: Record<string, unknown>) =>
    `${prefix} ${msg}${ctx ? ` ${JSON.stringify(ctx)}` : ''}`;
  return { info: (msg, ctx) => out(line(msg, ctx)), warn: (msg, ctx) => out(line(`WARN ${msg}`, ctx)) };
}

function report(r: PipelineResult, s: RunSummary, out: (line: string) => void, every: number): void {
  s.frames++;
  for (const e of r.driftEvents) {
    if (e.phase === 'start') s.episodesStarted++;
    if (e.phase === 'end') s.episodesEnded++;
    out(`frame ${r.frameIndex}: drift episode ${e.phase} (${e.detector}) ${JSON.stringify(e.statistics ?? {})}`);
  }
  if (every > 0 && s.frames % every === 0) {
    const what = `${r.label ?? '?'} (confidence ${r.confidence.toFixed(2)}, distance ${r.meanDistance.toFixed(2)})`;
    out(`frame ${r.frameIndex}: ${what}, ${r.timings.totalMs.toFixed(1)} ms`);
  }
}
