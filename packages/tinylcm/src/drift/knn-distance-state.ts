import { TinyMLOpsError } from '@tinymlops/contracts';

/** The mutable state of a `KnnDistanceMonitor`, exactly as `snapshot().state` carries it. */
export interface MonitorState {
  frames: number;
  warmUp: number[];
  mean: number | null;
  std: number | null;
  /** σ when the reference was set; the tracked σ never falls below half of it. */
  std0: number | null;
  m: number;
  minM: number;
  inEpisode: boolean;
  episode: number;
  below: number;
  cooldownLeft: number;
  ignored: number;
}

const NUMBER_FIELDS = ['frames', 'm', 'minM', 'episode', 'below', 'cooldownLeft', 'ignored'] as const;

/**
 * Validates a snapshot's state before a monitor adopts it; a corrupt field throws `STATE_CORRUPT`
 * naming it rather than surfacing later as NaN thresholds.
 */
export function checkMonitorState(state: Record<string, unknown>): MonitorState {
  const bad = (field: string) => new TinyMLOpsError('STATE_CORRUPT', `KnnDistanceMonitor snapshot: bad state.${field}`);
  for (const f of NUMBER_FIELDS) if (typeof state[f] !== 'number' || !Number.isFinite(state[f])) throw bad(f);
  for (const f of ['mean', 'std', 'std0'] as const) if (state[f] !== null && typeof state[f] !== 'number') throw bad(f);
  if (typeof state['inEpisode'] !== 'boolean') throw bad('inEpisode');
  if (!Array.isArray(state['warmUp']) || !state['warmUp'].every((x) => typeof x === 'number')) throw bad('warmUp');
  return { ...(state as unknown as MonitorState), warmUp: [...(state['warmUp'] as number[])] };
}

/** Collects a warm-up value; once `frames` are in, sets the reference from their mean and std. */
export function warmUp(s: MonitorState, x: number, frames: number): void {
  s.warmUp.push(x);
  if (s.warmUp.length < frames) return;
  const mean = s.warmUp.reduce((a, b) => a + b, 0) / s.warmUp.length;
  const std = Math.sqrt(s.warmUp.reduce((a, b) => a + (b - mean) ** 2, 0) / s.warmUp.length);
  // A constant warm-up would make every threshold 0; fall back to 10 % of the mean (the prototype's choice).
  const std0 = std > 0 ? std : Math.max(Math.abs(mean) * 0.1, 1e-9);
  Object.assign(s, { mean, std: std0, std0, warmUp: [] });
}

/** EWMA of the reference mean and variance at `rate`, from a stable value while PH is below the exit threshold. */
export function track(s: MonitorState, x: number, rate: number): void {
  if (s.mean === null || s.std === null) return;
  const diff = x - s.mean;
  // Outliers (> 3σ) are evidence for the test, not for the reference.
  if (rate === 0 || Math.abs(diff) > 3 * s.std) return;
  s.mean += rate * diff;
  // Floor: a long run of near-identical frames must not shrink σ (and with it δ and λ) to nothing.
  s.std = Math.max(Math.sqrt((1 - rate) * (s.std * s.std + rate * diff * diff)), 0.5 * (s.std0 ?? s.std));
}
