import { TinyMLOpsError } from '@tinymlops/contracts';

/** Summary of the last `windowSize` frames (latencies in ms, CPU in ms of process time). */
export interface OperationalMetrics {
  frames: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Process CPU time (user + system) per frame, measured over the inference work only. */
  cpuMsPerFrame: number;
  /** CPU time ÷ wall time of the same work (1 = one core busy). */
  cpuUtilisation: number;
  rssMb: number;
  peakRssMb: number;
}

/** Options of {@link OperationalMonitor}. */
export interface OperationalMonitorOptions {
  /** Frames kept for percentiles (default 1000). */
  windowSize?: number;
  /** Process CPU time, µs since an arbitrary origin (default `process.cpuUsage`, user + system). */
  cpuMicros?: () => number;
  /** Resident set size in bytes (default `process.memoryUsage.rss`). */
  rssBytes?: () => number;
  /**
   * Sample RSS on the first frame and every n-th after it (default 30; 1 = every frame). Reading RSS
   * is a /proc read, ~10–60 µs — a per-frame cost the data path does not need, since RSS moves slowly.
   */
  rssSampleEvery?: number;
}

/**
 * Latency percentiles, CPU time and memory of the device's inference work. The pipeline brackets
 * each frame with `begin()`/`end()`; CPU time is the `process.cpuUsage` delta over exactly that work,
 * not a periodic whole-process sample. Recording is O(1) and allocation-free; `metrics()` sorts a copy.
 * @example
 * const mark = monitor.begin();
 * await work();
 * monitor.end(mark, elapsedMs);
 * monitor.metrics().latencyMs.p95;
 */
export class OperationalMonitor {
  readonly windowSize: number;
  readonly rssSampleEvery: number;
  readonly #cpuMicros: () => number;
  readonly #rssBytes: () => number;
  readonly #latency: Float64Array;
  readonly #cpu: Float64Array;
  readonly #sorted: Float64Array;
  #frames = 0;
  #peakRss = 0;
  #rss = 0;

  constructor(options: OperationalMonitorOptions = {}) {
    const size = options.windowSize ?? 1000;
    if (!Number.isInteger(size) || size < 1)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `OperationalMonitor: option "windowSize" must be an integer ≥ 1, got ${size}`,
      );
    this.windowSize = size;
    const every = options.rssSampleEvery ?? 30;
    if (!Number.isInteger(every) || every < 1)
      throw new TinyMLOpsError(
        'INVALID_OPTION',
        `OperationalMonitor: option "rssSampleEvery" must be an integer ≥ 1, got ${every}`,
      );
    this.rssSampleEvery = every;
    this.#cpuMicros = options.cpuMicros ?? defaultCpuMicros;
    this.#rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
    this.#latency = new Float64Array(size);
    this.#cpu = new Float64Array(size);
    this.#sorted = new Float64Array(size);
  }

  /** Marks the start of a frame's work; pass the result to `end`. */
  begin(): number {
    return this.#cpuMicros();
  }

  /**
   * Records one frame: its wall latency and the CPU time since `mark`; samples RSS every
   * `rssSampleEvery` frames.
   * @example
   * monitor.end(mark, 12.5);
   */
  end(mark: number, latencyMs: number): void {
    const slot = this.#frames++ % this.windowSize;
    this.#latency[slot] = latencyMs;
    this.#cpu[slot] = (this.#cpuMicros() - mark) / 1000;
    if ((this.#frames - 1) % this.rssSampleEvery === 0) this.#sampleRss();
  }

  #sampleRss(): void {
    this.#rss = this.#rssBytes();
    if (this.#rss > this.#peakRss) this.#peakRss = this.#rss;
  }

  /**
   * Percentiles (linear interpolation, as numpy's default) and means over the window.
   * @example
   * const { latencyMs, cpuMsPerFrame, peakRssMb } = monitor.metrics();
   */
  metrics(): OperationalMetrics {
    const n = Math.min(this.#frames, this.windowSize);
    const sorted = this.#sorted.subarray(0, n);
    sorted.set(this.#latency.subarray(0, n));
    sorted.sort();
    const sum = (a: Float64Array) => a.subarray(0, n).reduce((s, x) => s + x, 0);
    const wall = sum(this.#latency);
    const cpu = sum(this.#cpu);
    return {
      frames: this.#frames,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        p99: percentile(sorted, 0.99),
        mean: n ? wall / n : Number.NaN,
        max: n ? (sorted[n - 1] as number) : Number.NaN,
      },
      cpuMsPerFrame: n ? cpu / n : Number.NaN,
      cpuUtilisation: wall > 0 ? cpu / wall : Number.NaN,
      rssMb: this.#rss / 2 ** 20,
      peakRssMb: this.#peakRss / 2 ** 20,
    };
  }
}

/**
 * p-quantile of ascending `sorted` values, linear interpolation between closest ranks.
 * @example
 * percentile(Float64Array.of(1, 2, 3, 4), 0.5); // 2.5
 */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const pos = (sorted.length - 1) * p;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

function defaultCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
