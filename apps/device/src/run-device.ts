import { EdgeDevice, type PipelineResult, type SyncLogger } from '@tinymlops/tinylcm';
import { loadDeviceConfig } from './load-device-config.js';
import { createFrameSource } from './sources/create-frame-source.js';

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
}

/** What a run did. */
export interface RunSummary {
  frames: number;
  episodesStarted: number;
  episodesEnded: number;
  seconds: number;
}

/**
 * Runs a device from its config file until the source ends, `maxFrames` is reached or the stop
 * signal fires; then flushes telemetry to the outbox and stops sync (nothing is lost on Ctrl-C).
 * @example
 * await runDevice({ configFile: 'device.json', maxFrames: 500 });
 */
export async function runDevice(o: RunDeviceOptions): Promise<RunSummary> {
  const out = o.out ?? ((line: string) => console.log(line));
  const { config, baseDir } = await loadDeviceConfig(o.configFile);
  const logger: SyncLogger = {
    info: (msg, ctx) => out(`[sync] ${msg}${ctx ? ` ${JSON.stringify(ctx)}` : ''}`),
    warn: (msg, ctx) => out(`[sync] WARN ${msg}${ctx ? ` ${JSON.stringify(ctx)}` : ''}`),
  };
  const device = await EdgeDevice.open({ config, baseDir, logger });
  const { id, version } = device.pipeline.bundle.manifest;
  out(
    `tinylcm-device: ${config.name ?? 'device'} running ${id}@${version} in ${config.mode} mode; data in ${device.dataDir}`,
  );
  device.startSync();
  const source = createFrameSource(config.source, baseDir, { warn: (m) => out(`[source] ${m}`), ...(o.maxFrames ? { maxFrames: o.maxFrames } : {}) }); // prettier-ignore
  let stopping = false;
  void o.stopSignal?.then(() => (stopping = true));
  const summary: RunSummary = { frames: 0, episodesStarted: 0, episodesEnded: 0, seconds: 0 };
  const t0 = Date.now();
  try {
    for await (const { frame } of source.frames()) {
      if (stopping) break;
      const started = Date.now();
      report(await device.process(frame), summary, out, o.reportEvery ?? 100);
      if (o.maxFrames && summary.frames >= o.maxFrames) break;
      const wait = config.inference.intervalMs - (Date.now() - started);
      if (wait > 0) await Promise.race([new Promise((r) => setTimeout(r, wait)), o.stopSignal]);
    }
  } finally {
    await source.close();
    await device.close();
  }
  summary.seconds = (Date.now() - t0) / 1000;
  out(`stopped after ${summary.frames} frames in ${summary.seconds.toFixed(1)} s; drift episodes: ${summary.episodesStarted} started, ${summary.episodesEnded} ended`); // prettier-ignore
  return summary;
}

function report(r: PipelineResult, s: RunSummary, out: (line: string) => void, every: number): void {
  s.frames++;
  for (const e of r.driftEvents) {
    if (e.phase === 'start') s.episodesStarted++;
    if (e.phase === 'end') s.episodesEnded++;
    out(`frame ${r.frameIndex}: drift episode ${e.phase} (${e.detector}) ${JSON.stringify(e.statistics ?? {})}`);
  }
  if (every > 0 && s.frames % every === 0) {
    out(`frame ${r.frameIndex}: ${r.label ?? '?'} (confidence ${r.confidence.toFixed(2)}, distance ${r.meanDistance.toFixed(2)}), ${r.timings.totalMs.toFixed(1)} ms`); // prettier-ignore
  }
}
