import { describe, expect, it } from 'vitest';
import type { PipelineDriftEvent, PipelineResult } from '../pipeline.js';
import { EpisodeIds, isDriftFlagged } from './episode-ids.js';

type Frame = Pick<PipelineResult, 'driftEvents' | 'drift'>;

const boundary = (phase: 'start' | 'end', episode: number): PipelineDriftEvent => ({
  phase,
  episode,
  frameIndex: 0,
  detector: 'cusum',
  kind: 'cusum',
  statistics: {},
  thresholds: {},
});
/** A frame as the pipeline reports it: the detector set's events and its state after the frame. */
const frame = (inEpisode: boolean, episode: number, phase?: 'start' | 'end'): Frame => ({
  driftEvents: phase ? [boundary(phase, episode)] : [],
  drift: { inEpisode, episode },
});

describe('EpisodeIds', () => {
  it('names each episode of the detector set once, from its start frame to its end frame', () => {
    const ids = new EpisodeIds();
    expect(ids.of(frame(false, 0)).episodeId).toBeUndefined();
    const start = ids.of(frame(true, 1, 'start'));
    expect(start.episodeId).toMatch(/^ep_[\w-]{12}$/);
    expect(start.started?.phase).toBe('start');
    expect(ids.of(frame(true, 1)).episodeId).toBe(start.episodeId);
    const end = ids.of(frame(false, 1, 'end'));
    expect(end).toMatchObject({ episodeId: start.episodeId, ended: { phase: 'end' } });
    expect(isDriftFlagged(end)).toBe(true); // the frame that closes an episode still belongs to it
    expect(isDriftFlagged(ids.of(frame(false, 1)))).toBe(false);
    expect(ids.of(frame(true, 2, 'start')).episodeId).not.toBe(start.episodeId);
  });

  it('gives a new id to the episodes of another detector set (a fresh pipeline counts from 1 again)', () => {
    const a = new EpisodeIds().of(frame(true, 1, 'start')).episodeId;
    const b = new EpisodeIds().of(frame(true, 1, 'start')).episodeId;
    expect(a).not.toBe(b);
  });
});
