import { mulberry32 } from '@tinymlops/tinylcm';
import type { ImageSet } from './fashion-mnist.js';
import { HELD_OUT_CLASSES, readFashionMnist } from './fashion-mnist.js';
import { corrupt, CORRUPTIONS, type Corruption } from './image-corruptions.js';

/** Drift scenarios over the committed Fashion-MNIST sample. */
export const DRIFT_SCENARIOS = ['no-drift', 'held-out-classes', ...CORRUPTIONS, 'class-mix'] as const;
export type DriftScenario = (typeof DRIFT_SCENARIOS)[number];

/** One frame of a scenario: a 28×28 grayscale image, its true class and whether drift is active. */
export interface ScenarioFrame {
  readonly index: number;
  readonly pixels: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1;
  readonly label: number;
  readonly driftActive: boolean;
}

/** Frame ranges `[start, end)` where drift is active — the ground truth for evaluations. */
export interface DriftEpisodeTruth {
  readonly start: number;
  readonly end: number;
}

export interface ScenarioOptions {
  scenario: DriftScenario;
  frames: number;
  seed?: number;
  /** Drift episodes as [start, end) frame ranges; default one episode from 200 to 350. */
  episodes?: DriftEpisodeTruth[];
  /** Corruption severity in [0, 1]; default 0.7. */
  severity?: number;
  /** Classes `held-out-classes` draws during an episode; default both (bag, ankle boot). */
  heldOutClasses?: readonly number[];
}

/**
 * A reproducible stream of frames with known drift episodes. Known-class frames are drawn from
 * classes 0–7; during an episode `held-out-classes` draws bag / ankle boot, the corruption
 * scenarios corrupt known-class frames, and `class-mix` ramps towards two classes (90 %).
 * @example
 * const set = await readFashionMnist();
 * const { frames, episodes } = scenarioStream(set, { scenario: 'held-out-classes', frames: 500, seed: 1 });
 */
export function scenarioStream(
  set: ImageSet,
  opts: ScenarioOptions,
): { frames: Iterable<ScenarioFrame>; episodes: DriftEpisodeTruth[] } {
  const episodes = opts.scenario === 'no-drift' ? [] : (opts.episodes ?? [{ start: 200, end: 350 }]);
  const byClass = indexByClass(set);
  const frameAt = frameFactory(set, byClass, opts, episodes);
  return {
    episodes,
    frames: {
      *[Symbol.iterator]() {
        for (let i = 0; i < opts.frames; i++) yield frameAt(i);
      },
    },
  };
}

function indexByClass(set: ImageSet): number[][] {
  const out: number[][] = Array.from({ length: 10 }, () => []);
  for (let i = 0; i < set.count; i++) out[set.labels[i] ?? 0]?.push(i);
  return out;
}

function frameFactory(set: ImageSet, byClass: number[][], opts: ScenarioOptions, episodes: DriftEpisodeTruth[]) {
  const rand = mulberry32(opts.seed ?? 1);
  const known = [0, 1, 2, 3, 4, 5, 6, 7];
  const pixelsPerImage = set.width * set.height;
  const pick = (classes: readonly number[]) => {
    const cls = classes[Math.floor(rand() * classes.length)] ?? 0;
    const pool = byClass[cls] ?? [];
    return pool[Math.floor(rand() * pool.length)] ?? 0;
  };
  return (i: number): ScenarioFrame => {
    const ep = episodes.find((e) => i >= e.start && i < e.end);
    let idx: number;
    if (ep && opts.scenario === 'held-out-classes') idx = pick(opts.heldOutClasses ?? HELD_OUT_CLASSES);
    else if (ep && opts.scenario === 'class-mix') {
      const p = 0.9 * Math.min(1, (i - ep.start) / Math.max(1, (ep.end - ep.start) / 2));
      idx = rand() < p ? pick([1, 5]) : pick(known);
    } else idx = pick(known);
    let pixels: Uint8Array = set.images.slice(idx * pixelsPerImage, (idx + 1) * pixelsPerImage);
    if (ep && (CORRUPTIONS as readonly string[]).includes(opts.scenario)) {
      pixels = corrupt(
        pixels,
        set.width,
        set.height,
        opts.scenario as Corruption,
        opts.severity ?? 0.7,
        (opts.seed ?? 1) * 100_003 + i,
      );
    }
    return {
      index: i,
      pixels,
      width: set.width,
      height: set.height,
      channels: 1,
      label: set.labels[idx] ?? 0,
      driftActive: ep !== undefined,
    };
  };
}

let sample: Promise<ImageSet> | undefined;

/**
 * The frames of a scenario over the committed Fashion-MNIST sample, read once per process.
 * @example
 * for (const f of await sampleScenarioFrames({ scenario: 'held-out-classes', frames: 300 })) device.process(f);
 */
export async function sampleScenarioFrames(opts: ScenarioOptions): Promise<Iterable<ScenarioFrame>> {
  sample ??= readFashionMnist();
  return scenarioStream(await sample, opts).frames;
}
