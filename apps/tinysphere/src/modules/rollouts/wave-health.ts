import type { HealthSignal, RolloutThresholds } from '@tinymlops/contracts';
import type { Evidence } from './wave-evidence.js';

/** A wave's devices on the new version: what they reported, and how their installs went. */
export interface CandidateEvidence extends Evidence {
  devices: number;
  failedInstalls: number;
  restarts: number;
}

const rate = (e: Evidence | null) => (e && e.deviceHours > 0 ? e.driftEpisodes / e.deviceHours : null);

/**
 * Judges a wave against its baseline and thresholds. Install failures and restarts count at
 * once; the rates and means only when `judgeRates` (enough device-hours, or the soak is over),
 * because a few minutes of one canary say little about its drift-episode rate. A signal without
 * data on either side is shown but never breached, except drift episodes, whose limit stands
 * without a baseline (baseline 0).
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
  const above = (cand: number | null, limit: number | null) => cand !== null && limit !== null && cand > limit;
  const drift = rate(c);
  const driftBase = rate(b);
  const driftLimit = (driftBase ?? 0) * t.maxDriftRateRatio + t.driftRateSlack;
  const conf = b?.meanConfidence ?? null;
  const confLimit = conf === null ? null : conf - t.maxConfidenceDrop;
  const dist = b?.meanKnnDistance ?? null;
  const distLimit = dist === null ? null : dist * t.maxKnnDistanceRatio;
  const lat = b?.latencyP95 ?? null;
  const latLimit = lat === null ? null : lat * t.maxLatencyP95Ratio;
  const failures = c.devices ? c.failedInstalls / c.devices : null;
  const restarts = c.devices ? c.restarts / c.devices : null;
  const round = (v: number | null) => (v === null ? null : Math.round(v * 10_000) / 10_000);
  const signal = (
    signal: HealthSignal['signal'],
    cand: number | null,
    base: number | null,
    limit: number | null,
    breached: boolean,
  ): HealthSignal => ({
    signal,
    candidate: round(cand),
    baseline: round(base),
    limit: round(limit),
    breached,
  });
  return [
    signal('install-failures', failures, null, t.maxInstallFailureRate, above(failures, t.maxInstallFailureRate)),
    signal('drift-episodes', drift, driftBase, driftLimit, judgeRates && above(drift, driftLimit)),
    signal('confidence', c.meanConfidence, conf, confLimit, judgeRates && above(confLimit, c.meanConfidence)),
    signal('knn-distance', c.meanKnnDistance, dist, distLimit, judgeRates && above(c.meanKnnDistance, distLimit)),
    signal('latency-p95', c.latencyP95, lat, latLimit, judgeRates && above(c.latencyP95, latLimit)),
    signal('restarts', restarts, null, t.maxRestartsPerDevice, above(restarts, t.maxRestartsPerDevice)),
  ];
}

/**
 * A halt reason naming every breached signal, or null when none is.
 * @example
 * haltReason(0, signals); // 'wave 1: drift-episodes 4.2 > limit 2.6'
 */
export function haltReason(wave: number, signals: readonly HealthSignal[]): string | null {
  const breached = signals.filter((s) => s.breached);
  if (breached.length === 0) return null;
  const what = breached.map(
    (s) => `${s.signal} ${s.candidate} ${s.signal === 'confidence' ? '<' : '>'} limit ${s.limit}`,
  );
  return `wave ${wave + 1}: ${what.join('; ')}`;
}
