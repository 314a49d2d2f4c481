import { readFile } from 'node:fs/promises';
import type { LogRecord, MetricRecord } from '@tinymlops/contracts';
import type { RawFrame } from '../features/preprocess.js';
import type { OperationalMetrics } from '../log/operational-monitor.js';
import type { PipelineResult } from '../pipeline.js';
import { writeFileAtomic } from '../sync/atomic-write.js';
import type { PackageParts, PredictionInput } from '../sync/package-builder.js';
import { areaResize } from '../features/area-resize.js';
import { encodePng } from './frame-png.js';

/** Options of {@link TelemetryReporter}. */
export interface TelemetryReporterOptions {
  /** File holding the next sequence numbers (survives restarts, so no range is ever reused). */
  seqFile: string;
  /** Keep one prediction in this many as a prediction sample (default 10). */
  predictionEvery?: number;
  /** Most buffered log lines between flushes; older ones are counted and dropped (default 500). */
  maxLogs?: number;
  now?: () => number;
}

/** 2025-01-01T00:00:00Z: clock-seeded sequence numbers count seconds from here (int32 lasts 68 years). */
const SEQ_EPOCH_MS = Date.UTC(2025, 0, 1);

interface Seqs {
  metrics: number;
  logs: number;
  predictions: number;
}

/**
 * Buffers what the server charts — operational metrics, sampled predictions and warning logs —
 * and hands it out as incremental package parts with per-device sequence numbers. The next
 * numbers are persisted before a batch leaves, so a crash leaves a gap, never a reused number.
 * @example
 * const t = await TelemetryReporter.open({ seqFile: 'data/telemetry-seq.json' });
 * t.observe(result);
 * const parts = await t.drain(monitor.metrics());
 */
export class TelemetryReporter {
  #seq: Seqs;
  /** Sampled predictions, each with a copy of its raw frame (PNG-encoded at drain, off the frame path). */
  #predictions: (PredictionInput & { frame?: RawFrame })[] = [];
  #logs: Omit<LogRecord, 'seq'>[] = [];
  #droppedLogs = 0;
  #frames = 0;
  #framesAtDrain = 0;
  readonly #now: () => number;

  private constructor(
    private readonly options: TelemetryReporterOptions,
    seq: Seqs,
  ) {
    this.#seq = seq;
    this.#now = options.now ?? Date.now;
  }

  static async open(options: TelemetryReporterOptions): Promise<TelemetryReporter> {
    let seq: Seqs = { metrics: 0, logs: 0, predictions: 0 };
    try {
      seq = { ...seq, ...(JSON.parse(await readFile(options.seqFile, 'utf8')) as Partial<Seqs>) };
    } catch {
      // First start (or a torn file): start from the clock so numbers stay above any sent before.
      // Seconds since SEQ_EPOCH, not ms since 1970: the server stores seq as a 32-bit integer.
      const base = Math.max(0, Math.floor(((options.now ?? Date.now)() - SEQ_EPOCH_MS) / 1000));
      seq = { metrics: base, logs: base, predictions: base };
    }
    return new TelemetryReporter(options, seq);
  }

  /**
   * Records one processed frame (every `predictionEvery`-th becomes a prediction sample, with
   * `frame` attached as a PNG thumbnail; frames that are not sampled are neither copied nor encoded).
   */
  observe(r: PipelineResult, frame?: RawFrame): void {
    if (this.#frames++ % (this.options.predictionEvery ?? 10) !== 0) return;
    this.#predictions.push({
      // A copy (sources may reuse their frame buffer), shrunk to a thumbnail: a 640×480 camera
      // frame as PNG every few seconds would dominate the outbox and the uplink.
      ...(frame ? { frame: thumbnail(frame) } : {}),
      seq: 0,
      at: new Date(this.#now()).toISOString(),
      label: r.label ?? 'unknown',
      confidence: Math.min(1, Math.max(0, r.confidence)),
      ...(Number.isFinite(r.meanDistance) ? { knnDistance: r.meanDistance } : {}),
      latencyMs: r.timings.totalMs,
    });
  }

  /** Buffers a log line for the server (warnings and errors are what a fleet operator needs). */
  log(level: LogRecord['level'], message: string, context?: Record<string, unknown>): void {
    if (this.#logs.length >= (this.options.maxLogs ?? 500)) {
      this.#logs.shift();
      this.#droppedLogs++;
    }
    this.#logs.push({ at: new Date(this.#now()).toISOString(), level, message, ...(context ? { context } : {}) });
  }

  /** Everything buffered since the last drain, numbered, as package parts (or null when empty). */
  async drain(ops: OperationalMetrics | null): Promise<PackageParts | null> {
    const at = new Date(this.#now()).toISOString();
    // Metrics only when frames ran since the last drain: an idle device (or one shutting down
    // right after a round) has nothing new to say, and must not make a package per tick.
    const fresh = this.#frames !== this.#framesAtDrain;
    this.#framesAtDrain = this.#frames;
    const metrics: Omit<MetricRecord, 'seq'>[] = ops && ops.frames > 0 && fresh ? metricRecords(ops, at) : [];
    if (this.#droppedLogs) this.log('warn', `dropped ${this.#droppedLogs} log lines (buffer full)`);
    this.#droppedLogs = 0;
    const logs = this.#logs.splice(0);
    const predictions = await Promise.all(this.#predictions.splice(0).map(withImage));
    if (!metrics.length && !logs.length && !predictions.length) return null;
    const parts: PackageParts = {
      ...(metrics.length ? { metrics: metrics.map((m, i) => ({ ...m, seq: this.#seq.metrics + i })) } : {}),
      ...(logs.length ? { logs: logs.map((l, i) => ({ ...l, seq: this.#seq.logs + i })) } : {}),
      ...(predictions.length
        ? { predictions: predictions.map((p, i) => ({ ...p, seq: this.#seq.predictions + i })) }
        : {}),
    };
    this.#seq = {
      metrics: this.#seq.metrics + metrics.length,
      logs: this.#seq.logs + logs.length,
      predictions: this.#seq.predictions + predictions.length,
    };
    await writeFileAtomic(this.options.seqFile, JSON.stringify(this.#seq));
    return parts;
  }
}

/** Longest side of a prediction thumbnail, px (the dashboard shows them at 40 px). */
export const THUMBNAIL_MAX_SIDE = 96;

/**
 * A copy of `frame` no larger than {@link THUMBNAIL_MAX_SIDE} on its longest side (area resize,
 * the same method as the model input); small frames are copied as they are.
 * @example
 * thumbnail({ data, width: 640, height: 480, channels: 3 }).width; // 96
 */
export function thumbnail(frame: RawFrame): RawFrame {
  const scale = THUMBNAIL_MAX_SIDE / Math.max(frame.width, frame.height);
  if (scale >= 1) return { ...frame, data: Uint8Array.from(frame.data) };
  const width = Math.max(1, Math.round(frame.width * scale));
  const height = Math.max(1, Math.round(frame.height * scale));
  const size = { srcWidth: frame.width, srcHeight: frame.height, dstWidth: width, dstHeight: height };
  const data = areaResize(frame.data, { ...size, channels: frame.channels });
  return { data, width, height, channels: frame.channels };
}

async function withImage({ frame, ...p }: PredictionInput & { frame?: RawFrame }): Promise<PredictionInput> {
  if (!frame) return p;
  try {
    return { ...p, image: { bytes: await encodePng(frame), mediaType: 'image/png' } };
  } catch {
    return p; // an odd frame (e.g. a channel count PNG cannot hold) still reports its prediction
  }
}

function metricRecords(ops: OperationalMetrics, at: string): Omit<MetricRecord, 'seq'>[] {
  return [
    { at, name: 'inference_ms_p50', value: ops.latencyMs.p50, unit: 'ms' },
    { at, name: 'inference_ms_p95', value: ops.latencyMs.p95, unit: 'ms' },
    { at, name: 'cpu_ms_per_frame', value: ops.cpuMsPerFrame, unit: 'ms' },
    { at, name: 'rss_mb', value: ops.rssMb, unit: 'MB' },
    { at, name: 'frames', value: ops.frames },
  ].filter((m) => Number.isFinite(m.value));
}
