import type { DetectorSnapshot } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { DDM } from './ddm.js';
import { DetectorSet, type FrameSignals } from './detector-set.js';
import type { DriftDetector } from './drift-detector.js';
import { KnnDistanceMonitor } from './knn-distance-monitor.js';

const REF = { referenceMean: 10, referenceStd: 1, referenceUpdateRate: 0 };

function frame(over: Partial<FrameSignals> = {}): FrameSignals {
  return {
    label: 'coat',
    confidence: 0.9,
    meanDistance: 10,
    neighbours: [{ label: 'coat' }],
    features: [1, 2],
    ...over,
  };
}

/** A detector of `kind` that records its inputs and fires on the frames listed in `fireAt`. */
function scripted(kind: string, fireAt: readonly number[] = []) {
  const seen: unknown[] = [];
  let fired = false;
  const d: DriftDetector<unknown> = {
    kind,
    get driftDetected() {
      return fired;
    },
    ignoredCount: 0,
    statistic: 1.5,
    update(x) {
      fired = fireAt.includes(seen.length);
      seen.push(x);
      return d;
    },
    reset: () => undefined,
    snapshot: (): DetectorSnapshot => ({ kind, schemaVersion: 1, options: {}, state: {} }),
  };
  return { detector: d, seen };
}

function run(set: DetectorSet, frames: number, at: (i: number) => Partial<FrameSignals> = () => ({})) {
  const events: string[] = [];
  for (let i = 0; i < frames; i++)
    for (const e of set.update(frame(at(i)), i)) events.push(`${e.phase}@${e.frameIndex}#${e.episode}:${e.detector}`);
  return events;
}

describe('DetectorSet', () => {
  it('gives each detector the input of its type', () => {
    const number = scripted('cusum');
    const confidence = scripted('page-hinkley');
    const cls = scripted('prediction-distribution');
    const vector = scripted('mmd');
    const neighbours = scripted('neighbour-diversity');
    const set = new DetectorSet([
      { name: 'a', detector: number.detector },
      { name: 'b', detector: confidence.detector, input: 'confidence' },
      { name: 'c', detector: cls.detector },
      { name: 'd', detector: vector.detector },
      { name: 'e', detector: neighbours.detector },
    ]);
    const f = frame({ meanDistance: 12, confidence: 0.4, label: 'bag', neighbours: [{ label: 'x' }, { label: 'y' }] });
    set.update(f, 0);
    set.update(frame({ label: null }), 1);
    expect(number.seen).toEqual([12, 10]);
    expect(confidence.seen).toEqual([0.4, 0.9]);
    expect(cls.seen).toEqual(['bag', -1]);
    expect(vector.seen[0]).toBe(f.features);
    expect(neighbours.seen[0]).toEqual(['x', 'y']);
  });

  it('turns repeated drift signals into one episode that ends after quietFrames quiet frames', () => {
    const { detector } = scripted('cusum', [10, 12, 30, 100]);
    const set = new DetectorSet([{ name: 'cusum', detector, quietFrames: 20 }]);
    expect(run(set, 200)).toEqual(['start@10#1:cusum', 'end@50#1:cusum', 'start@100#2:cusum', 'end@120#2:cusum']);
    expect(set.episode).toBe(2);
  });

  it('keeps one set episode open while any detector is active, and reports which opened and closed it', () => {
    const monitor = new KnnDistanceMonitor(REF);
    const { detector } = scripted('cusum', [150]);
    const set = new DetectorSet([
      { name: 'knn', detector: monitor },
      { name: 'cusum', detector, quietFrames: 100 },
    ]);
    const states: boolean[] = [];
    const events = run(set, 400, (i) => {
      states.push(set.inEpisode);
      return { meanDistance: i >= 100 && i < 200 ? 15 : 10 };
    });
    // knn-distance alone: start@101, end@219; cusum keeps the episode open until 150 + 100.
    expect(events).toEqual(['start@101#1:knn', 'end@250#1:cusum']);
    expect(states.slice(102, 251).every(Boolean)).toBe(true);
    expect(states[252]).toBe(false);
  });

  it('carries the statistics and thresholds of the event that opened the episode', () => {
    const set = new DetectorSet([{ name: 'knn', detector: new KnnDistanceMonitor(REF) }]);
    const start = Array.from({ length: 30 }, (_, i) => set.update(frame({ meanDistance: 15 }), i)).flat()[0]!;
    expect(start).toMatchObject({ phase: 'start', kind: 'knn-distance', thresholds: { lambda: 8 } });
    expect(start.statistics['referenceMean']).toBe(10);
  });

  it('refuses detectors that need labels, and duplicate names', () => {
    expect(() => new DetectorSet([{ name: 'ddm', detector: new DDM() }])).toThrow(
      /"ddm" watches an error stream .* a device has no labels, so use a label-free kind/,
    );
    const d = () => scripted('cusum').detector;
    expect(
      () =>
        new DetectorSet([
          { name: 'x', detector: d() },
          { name: 'x', detector: d() },
        ]),
    ).toThrow('DetectorSet: duplicate detector name "x"');
  });

  it('restores a snapshot mid-episode in place and goes on as the original would', () => {
    const make = () => new KnnDistanceMonitor(REF);
    const monitor = make();
    const a = new DetectorSet([{ name: 'knn', detector: monitor }]);
    const distance = (i: number) => ({ meanDistance: i >= 50 && i < 120 ? 15 : 10 });
    run(a, 80, distance);
    expect(a.inEpisode).toBe(true);
    const b = new DetectorSet([{ name: 'knn', detector: make() }]);
    b.restore(JSON.parse(JSON.stringify(a.snapshot())) as DetectorSnapshot[]);
    expect(b.inEpisode).toBe(true);
    const rest = (set: DetectorSet) =>
      Array.from({ length: 120 }, (_, k) => set.update(frame(distance(80 + k)), 80 + k).map((e) => e.phase)).flat();
    const continued = rest(a);
    expect(continued).toEqual(['end']);
    expect(rest(b)).toEqual(continued);
    a.restore(b.snapshot());
    expect(a.members[0]!.detector).toBe(monitor);
  });
});
