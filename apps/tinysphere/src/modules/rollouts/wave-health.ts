import type { HealthSignal, RolloutThresholds } from '@tinymlops/contracts';
import { poissonAtLeast, welchExcess } from './significance.js';
import type { DeviceEvidence, Evidence } from './wave-evidence.js';

/** A wave's devices on the new version: what they reported, and how their installs went. */
export interface CandidateEvidence extends Evidence {
  devices: number;
  failedInstalls: number;
  restarts: number;
}

type Signal = HealthSignal['signal'];
type Judged = Omit<HealthSignal, 'signal'>;

const round = (v: number | null, digits = 4) => (v === null ? null : Number(v.toPrecision(digits)));
const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const geoMean = (xs: readonly number[]) => (xs.length ? Math.exp(mean(xs.map(Math.log))!) : null);

/**
 * Judges a wave against its baseline and thresholds. Install failures and restarts count at
 * once. Rates and means count only when `judgeRates` (enough device-hours, or the soak is over),
 * and then only when they are significantly past the limit: the drift-episode count by a Poisson
 * test against the limit rate (and never below `minDriftEpisodes`), the means and the latency p95
 * by Welch's t-test over devices (each with `minPredictionsPerDevice` samples) against the
 * baseline's devices shifted by the allowed change. KNN distance and latency are compared as
 * ratios, i.e. on a log scale, and shown as geometric means over devices.
 * @example
 * const signals = judgeWave(candidate, baseline, thresholds, true);
 * const breached = signals.filter((s) => s.breached);
 */
export function judgeWave(
  c: CandidateEvidence,
  b: Evidence | null,
  t: RolloutThresholds,
  judgeRates: boolean,
): HealthSignal[] {
  const waitNote = `judged after ${t.minDeviceHours} device-hours or at the end of the soak`;
  const rated = (signal: Signal, j: Judged): HealthSignal =>
    judgeRates ? { signal, ...j } : { signal, ...j, breached: false, note: j.note ?? waitNote };
  const failures = c.devices ? c.failedInstalls / c.devices : null;
  const restarts = c.devices ? c.restarts / c.devices : null;
  const above = (v: number | null, limit: number) => v !== null && v > limit;
  return [
    counted('install-failures', failures, t.maxInstallFailureRate, above(failures, t.maxInstallFailureRate)),
    rated('drift-episodes', judgeDrift(c, b, t)),
    rated('confidence', judgeShift(c, b, t, 'confidence')),
    rated('knn-distance', judgeShift(c, b, t, 'knn-distance')),
    rated('latency-p95', judgeShift(c, b, t, 'latency-p95')),
    counted('restarts', restarts, t.maxRestartsPerDevice, above(restarts, t.maxRestartsPerDevice)),
  ];
}

function counted(signal: Signal, value: number | null, limit: number, breached: boolean): HealthSignal {
  return { signal, candidate: round(value), baseline: null, limit, breached, pValue: null, note: null };
}

const perHour = (e: Evidence | null) => (e && e.deviceHours > 0 ? e.driftEpisodes / e.deviceHours : null);

/** Drift episodes per device-hour: a Poisson test of the count against the limit rate. */
function judgeDrift(c: CandidateEvidence, b: Evidence | null, t: RolloutThresholds): Judged {
  const base = perHour(b);
  const limit = (base ?? 0) * t.maxDriftRateRatio + t.driftRateSlack;
  const pValue = c.deviceHours > 0 ? poissonAtLeast(c.driftEpisodes, limit * c.deviceHours) : null;
  const few = c.driftEpisodes < t.minDriftEpisodes;
  return {
    candidate: round(perHour(c)),
    baseline: round(base),
    limit: round(limit),
    breached: !few && pValue !== null && pValue < t.significance,
    pValue: round(pValue, 3),
    note: few ? `${c.driftEpisodes} episodes, a breach needs ${t.minDriftEpisodes}` : null,
  };
}

/** How each mean-like signal is read per device, and how far it may move (on its own scale). */
const SHIFTS = {
  confidence: { of: (d: DeviceEvidence) => d.meanConfidence, log: false, worse: -1 },
  'knn-distance': { of: (d: DeviceEvidence) => d.meanKnnDistance, log: true, worse: 1 },
  'latency-p95': { of: (d: DeviceEvidence) => d.latencyP95, log: true, worse: 1 },
} as const;

function allowedShift(signal: keyof typeof SHIFTS, t: RolloutThresholds): number {
  if (signal === 'confidence') return t.maxConfidenceDrop;
  return Math.log(signal === 'knn-distance' ? t.maxKnnDistanceRatio : t.maxLatencyP95Ratio);
}

/** A mean over devices against the baseline's devices: Welch's t-test of the allowed shift. */
function judgeShift(c: Evidence, b: Evidence | null, t: RolloutThresholds, signal: keyof typeof SHIFTS): Judged {
  const { of, log, worse } = SHIFTS[signal];
  const values = (e: Evidence | null) =>
    (e?.perDevice ?? [])
      // A latency gauge from a heartbeat (no samples) is itself a p95 over many inferences.
      .filter((d) => d.predictions >= t.minPredictionsPerDevice || (d.predictions === 0 && signal === 'latency-p95'))
      .map(of)
      .filter((v): v is number => v !== null && (!log || v > 0));
  const cand = values(c);
  const base = values(b);
  const shown = log ? geoMean : mean;
  const baseline = shown(base);
  const allowed = allowedShift(signal, t);
  const limit = baseline === null ? null : log ? baseline * Math.exp(allowed) : baseline - allowed;
  const scale = (xs: number[]) => xs.map((x) => worse * (log ? Math.log(x) : x));
  const pValue = welchExcess(scale(cand), scale(base), allowed);
  const note =
    cand.length === 0
      ? `no device with ${t.minPredictionsPerDevice} samples yet`
      : base.length < 2
        ? 'needs 2 baseline devices'
        : null;
  return {
    candidate: round(shown(cand)),
    baseline: round(baseline),
    limit: round(limit),
    breached: pValue !== null && pValue < t.significance,
    pValue: round(pValue, 3),
    note,
  };
}

/**
 * A halt reason naming every breached signal, or null when none is.
 * @example
 * haltReason(0, signals); // 'wave 1: drift-episodes 320 > limit 1 (p 0.000187)'
 */
export function haltReason(wave: number, signals: readonly HealthSignal[]): string | null {
  const breached = signals.filter((s) => s.breached);
  if (breached.length === 0) return null;
  const what = breached.map(
    (s) =>
      `${s.signal} ${s.candidate} ${s.signal === 'confidence' ? '<' : '>'} limit ${s.limit}` +
      (s.pValue != null ? ` (p ${s.pValue})` : ''),
  );
  return `wave ${wave + 1}: ${what.join('; ')}`;
}
