import { describe, expect, it } from 'vitest';
import type { PipelineDriftEvent } from '../pipeline.js';
import { EpisodeTracker, isDriftFlagged } from './episode-tracker.js';

const event = (phase: PipelineDriftEvent['phase'], frameIndex = 0): PipelineDriftEvent => ({
  detector: 'knn-distance',
  kind: 'knn-distance',
  phase,
  frameIndex,
  episode: 1,
  statistics: {},
  thresholds: {},
});

describe('EpisodeTracker', () => {
  it('places the start frame, the frames between and the end frame in one episode with one id', () => {
    const t = new EpisodeTracker();
    expect(t.observe([]).episodeId).toBeUndefined();
    const start = t.observe([event('start', 1)]);
    expect(start.started?.frameIndex).toBe(1);
    expect(start.episodeId).toMatch(/^ep_/);
    expect(t.active).toBe(true);
    expect(t.observe([]).episodeId).toBe(start.episodeId);
    const end = t.observe([event('end', 3)]);
    expect(end).toMatchObject({ episodeId: start.episodeId, ended: { frameIndex: 3 } });
    expect(t.active).toBe(false);
    expect(isDriftFlagged(end)).toBe(true);
    expect(isDriftFlagged(t.observe([]))).toBe(false);
  });

  it('gives each episode its own id and ignores a second start while one is open', () => {
    const t = new EpisodeTracker();
    const a = t.observe([event('start')]);
    expect(t.observe([event('start')]).started).toBeUndefined();
    t.observe([event('end')]);
    const b = t.observe([event('start')]);
    expect(b.episodeId).not.toBe(a.episodeId);
  });

  it('flags a one-frame signal of a detector without episodes, outside any episode', () => {
    const t = new EpisodeTracker();
    const e = t.observe([event('drift')]);
    expect(e).toMatchObject({ episodeId: undefined, signalled: true });
    expect(isDriftFlagged(e)).toBe(true);
    expect(t.observe([event('end')]).ended).toBeUndefined(); // no episode open: nothing to end
  });
});
