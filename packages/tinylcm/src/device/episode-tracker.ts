import { randomBytes } from 'node:crypto';
import type { PipelineDriftEvent } from '../pipeline.js';

/** Where one frame stands in the drift episodes. */
export interface FrameEpisode {
  /** The episode this frame belongs to; the frame that ends an episode still belongs to it. */
  readonly episodeId: string | undefined;
  /** The event that opened the episode on this frame. */
  readonly started: PipelineDriftEvent | undefined;
  /** The event that closed the episode on this frame. */
  readonly ended: PipelineDriftEvent | undefined;
  /** A detector without episodes fired on this frame (a one-frame signal). */
  readonly signalled: boolean;
}

/** A frame outside every episode, with no signal. */
export const CALM_FRAME: FrameEpisode = Object.freeze({
  episodeId: undefined,
  started: undefined,
  ended: undefined,
  signalled: false,
});

/**
 * The device's one answer to "is a drift episode open": turns each frame's drift events into
 * episode membership, with an id per episode. The drift reporter, the adaptation and the local
 * output all read the same {@link FrameEpisode}, so they never disagree about a frame.
 * @example
 * const episodes = new EpisodeTracker();
 * const e = episodes.observe(result.driftEvents);
 * if (e.started) console.log(`episode ${e.episodeId} opened at frame ${result.frameIndex}`);
 */
export class EpisodeTracker {
  #open: string | undefined;

  /** True while an episode is open (after the last frame observed). */
  get active(): boolean {
    return this.#open !== undefined;
  }

  /** The open episode's id, if any. */
  get episodeId(): string | undefined {
    return this.#open;
  }

  /** Places one frame, given its drift events, and moves the episode state on. */
  observe(events: readonly PipelineDriftEvent[]): FrameEpisode {
    if (events.length === 0 && this.#open === undefined) return CALM_FRAME;
    const start = this.#open === undefined ? events.find((e) => e.phase === 'start') : undefined;
    if (start) this.#open = `ep_${randomBytes(9).toString('base64url')}`;
    const episodeId = this.#open;
    const end = episodeId === undefined ? undefined : events.find((e) => e.phase === 'end');
    if (end) this.#open = undefined;
    return { episodeId, started: start, ended: end, signalled: events.some((e) => e.phase === 'drift') };
  }
}

/**
 * Whether adaptation treats a frame as drift: inside an episode, or signalled by a detector
 * without episodes.
 * @example
 * adaptation.observe(result, { driftFlagged: isDriftFlagged(episodes.observe(result.driftEvents)) });
 */
export function isDriftFlagged(e: FrameEpisode): boolean {
  return e.episodeId !== undefined || e.signalled;
}
