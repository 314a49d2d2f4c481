import { RolloutThresholds } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { poissonAtLeast, studentTAbove, welchExcess } from './significance.js';
import type { DeviceEvidence, Evidence } from './wave-evidence.js';
import { haltReason, judgeWave, type CandidateEvidence } from './wave-health.js';

const defaults = RolloutThresholds.parse({});

/** `n` devices with these means, each with `predictions` samples; `jitter` spreads them apart. */
function devices(n: number, m: Partial<DeviceEvidence>, jitter = 0.01, predictions = 200): DeviceEvidence[] {
  return Array.from({ length: n }, (_, i) => {
    const wobble = 1 + jitter * (i % 2 ? 1 : -1) * (1 + (i % 3));
    return {
      deviceId: `dev_${i}`,
      predictions,
      meanConfidence: m.meanConfidence === undefined ? 0.8 : m.meanConfidence! * wobble,
      meanKnnDistance: m.meanKnnDistance === undefined ? 1 : m.meanKnnDistance! * wobble,
      latencyP95: m.latencyP95 === undefined ? 20 : m.latencyP95! * wobble,
    };
  });
}

const fleet = (deviceHours: number, driftEpisodes: number, perDevice = devices(20, {})): Evidence => ({
  deviceHours,
  driftEpisodes,
  perDevice,
});

const candidate = (deviceHours: number, driftEpisodes: number, perDevice: DeviceEvidence[]): CandidateEvidence => ({
  ...fleet(deviceHours, driftEpisodes, perDevice),
  devices: perDevice.length,
  failedInstalls: 0,
  restarts: 0,
});

const signal = (signals: ReturnType<typeof judgeWave>, name: string) => signals.find((s) => s.signal === name)!;

describe('significance tests', () => {
  it('matches textbook values', () => {
    expect(poissonAtLeast(3, 0.5)).toBeCloseTo(0.01439, 4);
    expect(poissonAtLeast(0, 2)).toBe(1);
    expect(poissonAtLeast(120, 100)).toBeCloseTo(0.0282, 3);
    expect(studentTAbove(2.015, 5)).toBeCloseTo(0.05, 3);
    expect(studentTAbove(0, 3)).toBeCloseTo(0.5, 6);
    expect(studentTAbove(-1.833, 9)).toBeCloseTo(0.95, 3);
  });

  it('needs two baseline devices, and lets one candidate borrow the baseline spread', () => {
    expect(welchExcess([1], [0.5], 0)).toBeNull();
    expect(welchExcess([], [0.5, 0.6], 0)).toBeNull();
    expect(welchExcess([2], [0.5, 0.52, 0.48], 0.2)).toBeLessThan(0.01);
    expect(welchExcess([0.55], [0.5, 0.52, 0.48], 0.2)).toBeGreaterThan(0.5);
  });
});

describe('judgeWave', () => {
  it('never halts on too few drift episodes, however short the time', () => {
    // Two episodes in 36 device-seconds is a rate of 200 per hour, but two episodes say little.
    const s = judgeWave(candidate(0.01, 2, devices(3, {})), fleet(0.2, 0), defaults, true);
    const drift = signal(s, 'drift-episodes');
    expect(drift.candidate).toBe(200);
    expect(drift.breached).toBe(false);
    expect(drift.note).toBe('2 episodes, a breach needs 3');
    expect(haltReason(0, s)).toBeNull();
  });

  it('halts on a clear drift breach, with the p-value shown', () => {
    const s = judgeWave(candidate(0.0125, 4, devices(3, {})), fleet(0.24, 1), defaults, true);
    const drift = signal(s, 'drift-episodes');
    expect(drift.breached).toBe(true);
    expect(drift.pValue!).toBeLessThan(defaults.significance);
    expect(haltReason(0, s)).toMatch(/^wave 1: drift-episodes 320 > limit/);
  });

  it('does not halt a rate past the limit that chance explains', () => {
    // Baseline 2 per hour → limit 5; 9 episodes in an hour could well come from a rate of 5.
    const s = judgeWave(candidate(1, 9, devices(3, {})), fleet(10, 20), defaults, true);
    const drift = signal(s, 'drift-episodes');
    expect(drift.candidate).toBeGreaterThan(drift.limit!);
    expect(drift.pValue!).toBeGreaterThan(defaults.significance);
    expect(drift.breached).toBe(false);
  });

  it('does not halt on means from devices with too few samples', () => {
    const few = devices(3, { meanConfidence: 0.3 }, 0.01, defaults.minPredictionsPerDevice - 1);
    const conf = signal(judgeWave(candidate(1, 0, few), fleet(10, 0), defaults, true), 'confidence');
    expect(conf.candidate).toBeNull();
    expect(conf.breached).toBe(false);
    expect(conf.note).toBe(`no device with ${defaults.minPredictionsPerDevice} samples yet`);
  });

  it('halts on a clear confidence drop and KNN distance rise, not on noise within the limits', () => {
    const bad = devices(3, { meanConfidence: 0.5, meanKnnDistance: 3 });
    const s = judgeWave(candidate(1, 0, bad), fleet(10, 0), defaults, true);
    expect(signal(s, 'confidence')).toMatchObject({ breached: true, limit: 0.7 });
    expect(signal(s, 'knn-distance').breached).toBe(true);
    expect(signal(s, 'latency-p95').breached).toBe(false);
    // Three devices spread ±12 % around a mean 0.08 below the baseline: within the 0.1 drop.
    const noisy = devices(3, { meanConfidence: 0.72, meanKnnDistance: 1.3 }, 0.04);
    const calm = judgeWave(candidate(1, 0, noisy), fleet(10, 0), defaults, true);
    expect(calm.filter((x) => x.breached)).toEqual([]);
  });

  it('judges latency p95 as a ratio over devices', () => {
    const slow = devices(4, { latencyP95: 60 });
    expect(signal(judgeWave(candidate(1, 0, slow), fleet(10, 0), defaults, true), 'latency-p95')).toMatchObject({
      breached: true,
      baseline: 20,
      limit: 40,
    });
  });

  it('shows but does not judge rates and means before the soak or enough device-hours', () => {
    const bad = devices(3, { meanConfidence: 0.2 });
    const s = judgeWave(candidate(0.01, 50, bad), fleet(1, 0), defaults, false);
    expect(s.filter((x) => x.breached)).toEqual([]);
    expect(signal(s, 'confidence').note).toMatch(/^judged after 1 device-hours/);
  });

  it('counts install failures and restarts at once', () => {
    const c = { ...candidate(0, 0, []), devices: 3, failedInstalls: 1, restarts: 7 };
    const s = judgeWave(c, null, defaults, false);
    expect(haltReason(1, s)).toBe('wave 2: install-failures 0.3333 > limit 0; restarts 2.333 > limit 1');
  });
});
