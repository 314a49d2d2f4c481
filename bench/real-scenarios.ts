/**
 * The plan of the real drift streams (bench/real-streams.ts): which scenario, how many frames and
 * where the ground-truth episodes are. Changing it changes the cache key, so recordings follow.
 */
import type { DriftEpisodeTruth, ScenarioOptions } from '@tinymlops/testkit';

export interface RealScenario {
  readonly name: string;
  readonly options: ScenarioOptions;
  /** Episode window for scoring: an alarm later than this after the onset does not count. */
  readonly deltaMax: number;
}

/** `count` episodes of `length` frames, the first at `first`, `gap` known frames between them. */
function episodes(count: number, first: number, length: number, gap: number): DriftEpisodeTruth[] {
  return Array.from({ length: count }, (_, k) => {
    const start = first + k * (length + gap);
    return { start, end: start + length };
  });
}

// Six 120-frame episodes separated by 330 known frames (≥ 300, so a detector's episode can end and
// its cooldown pass before the next onset), 300 known frames first (warm-up of learnt references).
const SIX = episodes(6, 300, 120, 330);
const FRAMES = 300 + 6 * 450;

export const REAL_SCENARIOS: readonly RealScenario[] = [
  {
    name: 'held-out classes (bag + ankle boot)',
    options: { scenario: 'held-out-classes', frames: FRAMES, seed: 1, episodes: SIX },
    deltaMax: 120,
  },
  {
    name: 'held-out bag',
    options: { scenario: 'held-out-classes', frames: FRAMES, seed: 2, episodes: SIX, heldOutClasses: [8] },
    deltaMax: 120,
  },
  {
    name: 'held-out ankle boot',
    options: { scenario: 'held-out-classes', frames: FRAMES, seed: 3, episodes: SIX, heldOutClasses: [9] },
    deltaMax: 120,
  },
  { name: 'brightness', options: { scenario: 'brightness', frames: FRAMES, seed: 4, episodes: SIX }, deltaMax: 120 },
  { name: 'contrast', options: { scenario: 'contrast', frames: FRAMES, seed: 5, episodes: SIX }, deltaMax: 120 },
  { name: 'blur', options: { scenario: 'blur', frames: FRAMES, seed: 6, episodes: SIX }, deltaMax: 120 },
  { name: 'noise', options: { scenario: 'noise', frames: FRAMES, seed: 7, episodes: SIX }, deltaMax: 120 },
  // Gradual: the mix ramps to 90 % trouser + sandal over the first half of each 300-frame episode.
  {
    name: 'class-mix (gradual)',
    options: { scenario: 'class-mix', frames: 3200, seed: 8, episodes: episodes(4, 400, 300, 400) },
    deltaMax: 300,
  },
  // Long stationary stream: 12,000 draws from the 1,600 known-class images.
  { name: 'no drift', options: { scenario: 'no-drift', frames: 12_000, seed: 11 }, deltaMax: 120 },
];
