import { randomBytes } from 'node:crypto';
import type { PipelineDriftEvent, PipelineResult } from '../pipeline.js';

/** Where one frame stands in the drift episodes of the pipeline's detector set. */
export interface FrameEpisode {
  /** The episode this frame belongs to; the frame that ends an episode still belongs to it. */
  readonly episodeId: string | undefined;
  /** The event that opened the episode on this frame. */
  readonly started: PipelineDriftEvent | undefined;
  /** The event that closed the episode on this frame. */
  readonly ended: PipelineDriftEvent | undefined;
}

/** A frame outside every episode. */
export const CALM_FRAME: FrameEpisode = Object.freeze({ episodeId: undefined, started: undefined, ended: undefined });

/**
 * Names the episodes of the pipeline's detector set — the device's one episode tracker — with an
 * id unique across devices and restarts (the set only counts them), so the drift reports, the
 * adaptation and the local output all speak of the same episode. It keeps no episode state of
 * its own: whether a frame is in an episode is the detector set's answer.
 * @example
 * const ids = new EpisodeIds();
 * const e = ids.of(await pipeline.process(frame));
 * if (e.started) console.log(`episode ${e.episodeId} opened`);
 */
export class EpisodeIds {
  #named: { episode: number; id: string } | undefined;

  /** Where `result`'s frame stands: its episode's id and the boundary events on it. */
  of(result: Pick<PipelineResult, 'driftEvents' | 'drift'>): FrameEpisode {
    const started = result.driftEvents.find((e) => e.phase === 'start');
    const ended = result.driftEvents.find((e) => e.phase === 'end');
    if (!result.drift.inEpisode && !ended) return CALM_FRAME;
    const { episode } = result.drift;
    if (this.#named?.episode !== episode) this.#named = { episode, id: `ep_${randomBytes(9).toString('base64url')}` };
    return { episodeId: this.#named.id, started, ended };
  }
}

/**
 * Whether adaptation treats a frame as drift: it belongs to an episode.
 * @example
 * adaptation.observe(result, { driftFlagged: isDriftFlagged(ids.of(result)) });
 */
export function isDriftFlagged(e: FrameEpisode): boolean {
  return e.episodeId !== undefined;
}
