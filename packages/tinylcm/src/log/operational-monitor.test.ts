import { describe, expect, it } from 'vitest';
import { OperationalMonitor, percentile } from './operational-monitor.js';

describe('OperationalMonitor', () => {
  it('reports latency percentiles over the last windowSize frames', () => {
    const mon = new OperationalMonitor({ windowSize: 100, cpuMicros: () => 0, rssBytes: () => 0 });
    for (let i = 1; i <= 150; i++) mon.end(mon.begin(), i); // window keeps 51…150
    const m = mon.metrics();
    expect(m.frames).toBe(150);
    expect(m.latencyMs.p50).toBeCloseTo(100.5, 10);
    expect(m.latencyMs.p95).toBeCloseTo(145.05, 10);
    expect(m.latencyMs.max).toBe(150);
    expect(m.latencyMs.mean).toBeCloseTo(100.5, 10);
  });

  it('measures CPU time over the bracketed work only, and tracks peak RSS', () => {
    let cpu = 0;
    const rss = [100, 300, 200].map((mb) => mb * 2 ** 20);
    const mon = new OperationalMonitor({ cpuMicros: () => cpu, rssBytes: () => rss.shift() ?? 0, rssSampleEvery: 1 });
    for (let i = 0; i < 3; i++) {
      cpu += 50_000; // work outside the bracket is not counted
      const mark = mon.begin();
      cpu += 4_000;
      mon.end(mark, 8);
    }
    const m = mon.metrics();
    expect(m.cpuMsPerFrame).toBe(4);
    expect(m.cpuUtilisation).toBe(0.5);
    expect(m.rssMb).toBe(200);
    expect(m.peakRssMb).toBe(300);
  });

  it('samples RSS on the first frame and every rssSampleEvery-th after it (default 30)', () => {
    let reads = 0;
    const mon = new OperationalMonitor({ cpuMicros: () => 0, rssBytes: () => ++reads * 2 ** 20 });
    for (let i = 0; i < 61; i++) mon.end(mon.begin(), 1); // frames 1, 31 and 61 read RSS
    expect(reads).toBe(3);
    expect(mon.metrics().peakRssMb).toBe(3);
    expect(() => new OperationalMonitor({ rssSampleEvery: 0 })).toThrow(/rssSampleEvery/);
  });

  it('reads the CPU clock on the first frame and every cpuSampleEvery-th after it (default 10)', () => {
    let reads = 0;
    let cpu = 0;
    const mon = new OperationalMonitor({ cpuMicros: () => (reads++, cpu), rssBytes: () => 0 });
    for (let i = 0; i < 21; i++) {
      const mark = mon.begin();
      cpu += i % 10 === 0 ? 3_000 : 1_000_000; // only frames 0, 10, 20 are measured
      mon.end(mark, 6);
    }
    expect(reads).toBe(6); // two reads per sampled frame
    expect(mon.metrics().cpuMsPerFrame).toBe(3);
    expect(mon.metrics().cpuUtilisation).toBe(0.5);
    expect(() => new OperationalMonitor({ cpuSampleEvery: 1.5 })).toThrow(/cpuSampleEvery/);
  });

  it('uses linear interpolation between ranks', () => {
    expect(percentile(Float64Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(percentile(new Float64Array(0), 0.5)).toBeNaN();
  });
});
