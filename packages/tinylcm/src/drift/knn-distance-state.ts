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
