import { TinyMLOpsError } from '@tinymlops/contracts';

/** Summary of the last `windowSize` frames (latencies in ms, CPU in ms of process time). */
export interface OperationalMetrics {
  frames: number;
  latencyMs: { p50: number; p95: number; p99: number; mean: number; max: number };
  /** Process CPU time (user + system) per frame, measured over the inference work of sampled frames. */
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
  /**
   * Measure CPU time on the first frame and every n-th after it (default 10; 1 = every frame).
   * Each measurement reads the process CPU clock twice, ~2–3 µs of a budget of ~100 µs per frame
   * for everything but inference; one frame in ten estimates the per-frame mean as well.
   */
  cpuSampleEvery?: number;
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
  readonly cpuSampleEvery: number;
  readonly #cpuMicros: () => number;
  readonly #rssBytes: () => number;
  readonly #latency: Float64Array;
  /** CPU time and wall latency of the sampled frames (a window of ⌈windowSize / cpuSampleEvery⌉). */
  readonly #cpu: Float64Array;
  readonly #cpuWall: Float64Array;
  readonly #sorted: Float64Array;
  #frames = 0;
  #cpuSamples = 0;
  #peakRss = 0;
  #rss = 0;

  constructor(options: OperationalMonitorOptions = {}) {
    this.windowSize = positiveInteger('windowSize', options.windowSize ?? 1000);
    this.rssSampleEvery = positiveInteger('rssSampleEvery', options.rssSampleEvery ?? 30);
    this.cpuSampleEvery = positiveInteger('cpuSampleEvery', options.cpuSampleEvery ?? 10);
    this.#cpuMicros = options.cpuMicros ?? defaultCpuMicros;
    this.#rssBytes = options.rssBytes ?? (() => process.memoryUsage.rss());
    const size = this.windowSize;
    this.#latency = new Float64Array(size);
    this.#cpu = new Float64Array(Math.ceil(size / this.cpuSampleEvery));
    this.#cpuWall = new Float64Array(this.#cpu.length);
    this.#sorted = new Float64Array(size);
  }

  /** Marks the start of a frame's work; pass the result to `end` (NaN: a frame whose CPU is not sampled). */
  begin(): number {
    return this.#frames % this.cpuSampleEvery === 0 ? this.#cpuMicros() : Number.NaN;
  }

  /**
   * Records one frame: its wall latency and, on a sampled frame, the CPU time since `mark`; samples
   * RSS every `rssSampleEvery` frames.
   * @example
   * monitor.end(mark, 12.5);
   */
  end(mark: number, latencyMs: number): void {
    const slot = this.#frames++ % this.windowSize;
    this.#latency[slot] = latencyMs;
    if (!Number.isNaN(mark)) {
      const c = this.#cpuSamples++ % this.#cpu.length;
      this.#cpu[c] = (this.#cpuMicros() - mark) / 1000;
      this.#cpuWall[c] = latencyMs;
    }
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
    const nCpu = Math.min(this.#cpuSamples, this.#cpu.length);
    const sum = (a: Float64Array, k: number) => a.subarray(0, k).reduce((s, x) => s + x, 0);
    const wall = sum(this.#latency, n);
    const [cpu, cpuWall] = [sum(this.#cpu, nCpu), sum(this.#cpuWall, nCpu)];
    return {
      frames: this.#frames,
      latencyMs: {
        p50: percentile(sorted, 0.5),
        p95: percentile(sorted, 0.95),
        p99: percentile(sorted, 0.99),
        mean: n ? wall / n : Number.NaN,
        max: n ? (sorted[n - 1] as number) : Number.NaN,
      },
      cpuMsPerFrame: nCpu ? cpu / nCpu : Number.NaN,
      cpuUtilisation: cpuWall > 0 ? cpu / cpuWall : Number.NaN,
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

function positiveInteger(name: string, value: number): number {
  if (Number.isInteger(value) && value >= 1) return value;
  throw new TinyMLOpsError(
    'INVALID_OPTION',
    `OperationalMonitor: option "${name}" must be an integer ≥ 1, got ${value}`,
  );
}

function defaultCpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
