import { readFashionMnist, scenarioStream, type DriftScenario } from '@tinymlops/tinylcm';
import type { FrameSource, SourceFrame } from './frame-source.js';

/** Options of {@link datasetSource}. */
export interface DatasetSourceOptions {
  scenario: DriftScenario;
  seed: number;
  /** Frame at which the drift episode starts. */
  driftAfterFrames: number;
  /** Frames the episode lasts (default 150). */
  driftFrames?: number;
  /** Stop after this many frames (default: never). */
  maxFrames?: number;
}

/**
 * Frames from the committed Fashion-MNIST sample following a drift scenario (held-out classes
 * appear, lighting or focus degrades, the class mix shifts), with ground truth attached.
 * @example
 * const src = datasetSource({ scenario: 'held-out-classes', seed: 1, driftAfterFrames: 200 });
 */
export function datasetSource(o: DatasetSourceOptions): FrameSource {
  const frames = async function* (): AsyncIterable<SourceFrame> {
    const set = await readFashionMnist();
    const end = o.driftAfterFrames + (o.driftFrames ?? 150);
    const stream = scenarioStream(set, {
      scenario: o.scenario,
      seed: o.seed,
      frames: o.maxFrames ?? Number.MAX_SAFE_INTEGER,
      episodes: [{ start: o.driftAfterFrames, end }],
    });
    for (const f of stream.frames) {
      yield {
        frame: { data: f.pixels, width: f.width, height: f.height, channels: 1 },
        truth: { label: f.label, driftActive: f.driftActive },
      };
    }
  };
  return { name: `dataset:${o.scenario}`, frames, close: async () => {} };
}
