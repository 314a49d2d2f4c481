import type { Writable } from 'node:stream';
import { EdgeDevice, type DeviceFrame, type RawFrame, type SyncLogger } from '@tinymlops/tinylcm';
import { loadDeviceConfig } from './load-device-config.js';
import { openLocalOutputs, type LocalOutputs } from './output/local-outputs.js';
import { shownPath } from './shown-path.js';
import { createFrameSource } from './sources/create-frame-source.js';
import type { FrameSource, SourceFrame } from './sources/frame-source.js';

/** Options of {@link runDevice}. */
export interface RunDeviceOptions {
  configFile: string;
  /** Stop after this many frames (default: run until SIGINT/SIGTERM). */
  maxFrames?: number;
  /** Print one line per this many frames (0 = only drift events). */
  reportEvery?: number;
  /** Where the program's messages go (default stdout, or stderr when `output.jsonLines` takes stdout). */
  out?: (line: string) => void;
  /** Where `output.jsonLines` writes (default `process.stdout`). */
  stdout?: Writable;
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

/** What the frame loop works with. */
interface Run {
  o: RunDeviceOptions;
  out: (line: string) => void;
  intervalMs: number;
  source: FrameSource;
  process: (frame: RawFrame) => Promise<DeviceFrame>;
  stopped: Promise<typeof STOP>;
}

/**
 * Runs a device from its config file until the source ends, `maxFrames` is reached or the stop
 * signal fires; then flushes telemetry to the outbox and stops sync (nothing is lost on Ctrl-C).
 * The stop signal is honoured at once even while the source waits for a frame (a hanging camera
 * command is killed, not waited for). Each prediction also goes to the local outputs
 * (`output` in the config) for the end user's application.
 * @example
 * await runDevice({ configFile: 'device.json', maxFrames: 500 });
 */
export async function runDevice(o: RunDeviceOptions): Promise<RunSummary> {
  const { config, baseDir } = await loadDeviceConfig(o.configFile);
  const out = o.out ?? (config.output.jsonLines ? (line: string) => console.error(line) : console.log);
  const device = await EdgeDevice.open({ config, baseDir, logger: prefixedLogger('[sync]', out) });
  const outputs = await openOutputs(device, config.output, o.stdout);
  const { modelId, version } = device.model;
  const name = config.name ?? 'device';
  const dataDir = shownPath(device.dataDir.root);
  out(`tinylcm-device: ${name} running ${modelId}@${version} in ${config.mode} mode; data in ${dataDir}`);
  if (outputs.streamUrl) out(`local output: predictions as server-sent events at ${outputs.streamUrl}`);
  device.startSync();
  const sourceOptions = {
    warn: (m: string) => out(`[source] ${m}`),
    ...(o.maxFrames ? { maxFrames: o.maxFrames } : {}),
  };
  const source = createFrameSource(config.source, baseDir, sourceOptions);
  const stopped = (o.stopSignal ?? new Promise<never>(() => undefined)).then((): typeof STOP => STOP);
  const processFrame = async (frame: RawFrame) => {
    const done = await device.processFrame(frame);
    outputs.publish(done);
    return done;
  };
  const shutdownMs = o.shutdownMs ?? 1500;
  const t0 = Date.now();
  let summary: RunSummary;
  try {
    summary = await frameLoop({
      o,
      out,
      intervalMs: config.inference.intervalMs,
      source,
      process: processFrame,
      stopped,
    });
  } finally {
    await shutdown(shutdownMs, out, [source.close(), outputs.close(), device.close(shutdownMs)]);
  }
  summary.seconds = (Date.now() - t0) / 1000;
  const episodes = `${summary.episodesStarted} started, ${summary.episodesEnded} ended`;
  out(`stopped after ${summary.frames} frames in ${summary.seconds.toFixed(1)} s; drift episodes: ${episodes}`);
  if (outputs.skippedLines) out(`local output: ${outputs.skippedLines} JSON lines skipped (the reader fell behind)`);
  return summary;
}

/** The local outputs; a device whose outputs cannot open (e.g. the port is taken) is closed again. */
async function openOutputs(
  device: EdgeDevice,
  config: Parameters<typeof openLocalOutputs>[0],
  stdout: Writable | undefined,
): Promise<LocalOutputs> {
  try {
    return await openLocalOutputs(config, { model: () => device.model, ...(stdout ? { stdout } : {}) });
  } catch (err) {
    await device.close(0);
    throw err;
  }
}

/** Processes frames until the source ends, `maxFrames` is reached or the stop signal fires. */
async function frameLoop(run: Run): Promise<RunSummary> {
  const { o, out, intervalMs, stopped } = run;
  const summary: RunSummary = { frames: 0, episodesStarted: 0, episodesEnded: 0, seconds: 0 };
  const frames = run.source.frames()[Symbol.asyncIterator]();
  for (;;) {
    const next = await nextOrStop(frames, stopped);
    if (next === STOP || next.done) break;
    const started = Date.now();
    report(await run.process(next.value.frame), summary, out, o.reportEvery ?? 100);
    if (o.maxFrames && summary.frames >= o.maxFrames) break;
    const wait = intervalMs - (Date.now() - started);
    if (wait > 0 && (await Promise.race([delay(wait), stopped])) === STOP) break;
  }
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

function report({ result: r, episode }: DeviceFrame, s: RunSummary, out: (line: string) => void, every: number): void {
  s.frames++;
  for (const e of [episode.started, episode.ended]) {
    if (!e) continue;
    if (e.phase === 'start') s.episodesStarted++;
    else s.episodesEnded++;
    out(`frame ${r.frameIndex}: drift episode ${e.phase} (${e.detector}) ${JSON.stringify(e.statistics ?? {})}`);
  }
  if (every > 0 && s.frames % every === 0) {
    const what = `${r.label ?? '?'} (confidence ${r.confidence.toFixed(2)}, distance ${r.meanDistance.toFixed(2)})`;
    out(`frame ${r.frameIndex}: ${what}, ${r.timings.totalMs.toFixed(1)} ms`);
  }
}
