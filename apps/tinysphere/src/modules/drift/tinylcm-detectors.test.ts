import { PageHinkley } from '@tinymlops/tinylcm';
import { describe, expect, it } from 'vitest';
import { tinylcmDetectorFactory } from './tinylcm-detectors.js';

describe('tinylcmDetectorFactory (the server replays through TinyLCM’s own detectors)', () => {
  it('builds the registry’s detector, which alarms exactly where the device-side class does', () => {
    const replay = tinylcmDetectorFactory('page-hinkley', { threshold: 5, delta: 0.1 });
    const reference = new PageHinkley({ threshold: 5, delta: 0.1 });
    expect(replay).toBeInstanceOf(PageHinkley);
    const stream = Array.from({ length: 200 }, (_, i) => (i < 100 ? 0 : 1));
    const fired = (d: { update(x: number): unknown; driftDetected: boolean }) =>
      stream.flatMap((x, i) => (d.update(x), d.driftDetected ? [i] : []));
    const a = fired(replay);
    expect(a.length).toBeGreaterThan(0);
    expect(a).toEqual(fired(reference));
  });

  it('refuses unknown kinds and detectors that do not consume numbers, naming what would work', () => {
    expect(() => tinylcmDetectorFactory('page-hinkly', {})).toThrow(/unknown drift detector kind "page-hinkly"/);
    expect(() => tinylcmDetectorFactory('ddm', {})).toThrow(/"ddm" consumes boolean input; use one of: page-hinkley/);
  });

  it('passes option validation errors through', () => {
    expect(() => tinylcmDetectorFactory('page-hinkley', { threshold: -1 })).toThrow(/threshold/);
  });
});
