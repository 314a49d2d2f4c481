import { mulberry32, type DriftEpisodeTruth, type DriftScenario } from '@tinymlops/tinylcm';

import type { FleetScenario } from './fleet-choices.js';

export { FLEET_SCENARIOS, type FleetScenario } from './fleet-choices.js';

/** The drift schedule of one device: which stream it draws and when drift is on. */
export interface DeviceSchedule {
  /** The fleet scenario this device plays (never `mixed`). */
  scenario: Exclude<FleetScenario, 'mixed'>;
  /** The testkit stream that implements it. */
  stream: DriftScenario;
  /** Drift episodes as `[start, end)` frame ranges. */
  episodes: DriftEpisodeTruth[];
  seed: number;
}

/** One cycle of a schedule, in frames: `calm` frames, then `drift` frames of drift, then calm to `length`. */
export interface DriftCycle {
  length: number;
  calm: number;
  drift: number;
  /** Up to this many frames of seeded delay per device, so episodes do not start in lockstep. */
  jitter: number;
}

/** The default cycle: 150 calm frames, 100 drifting, per 300. */
export const DEFAULT_CYCLE: DriftCycle = { length: 300, calm: 150, drift: 100, jitter: 40 };

/**
 * The schedule of device `index`. Each cycle (default {@link DEFAULT_CYCLE}) is calm first (the
 * monitor's reference holds) and then drifts for a while, shifted per device by
 * a seeded offset so the fleet's episodes do not all start on the same frame. `lighting` alternates
 * brightness and contrast between devices; `mixed` plays held-out-class, lighting and gradual-mix in turn.
 * @example
 * deviceSchedule('mixed', 2, 1, 600).scenario; // 'gradual-mix'
 */
export function deviceSchedule(
  scenario: FleetScenario,
  index: number,
  seed: number,
  frames: number,
  cycle: DriftCycle = DEFAULT_CYCLE,
): DeviceSchedule {
  const played: Exclude<FleetScenario, 'mixed'> =
    scenario === 'mixed' ? (['held-out-class', 'lighting', 'gradual-mix'] as const)[index % 3]! : scenario;
  const deviceSeed = seed * 1000 + index;
  const rand = mulberry32(deviceSeed);
  const episodes: DriftEpisodeTruth[] = [];
  if (played !== 'no-drift') {
    for (let c = 0; c * cycle.length < frames; c++) {
      const start = c * cycle.length + cycle.calm + Math.floor(rand() * cycle.jitter);
      episodes.push({ start, end: Math.min(start + cycle.drift, frames) });
    }
  }
  return {
    scenario: played,
    stream: streamOf(played, scenario === 'mixed' ? Math.floor(index / 3) : index),
    episodes: episodes.filter((e) => e.start < e.end),
    seed: deviceSeed,
  };
}

/** `nth` counts the devices playing this scenario, so lighting alternates between them. */
function streamOf(s: Exclude<FleetScenario, 'mixed'>, nth: number): DriftScenario {
  switch (s) {
    case 'held-out-class':
      return 'held-out-classes';
    case 'lighting':
      return nth % 2 === 0 ? 'brightness' : 'contrast';
    case 'gradual-mix':
      return 'class-mix';
    default:
      return 'no-drift';
  }
}
