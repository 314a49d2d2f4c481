import { DetectorSnapshot } from '@tinymlops/contracts';
import { describe, expect, it } from 'vitest';
import { KnnDistanceMonitor, type KnnDistanceEvent } from './knn-distance-monitor.js';

// A frozen reference keeps the hand-computed indices exact; tracking is tested on its own. λ = 8σ
// (the default until per-class scales and scenes came in) keeps the arithmetic below readable.
const REF = { referenceMean: 10, referenceStd: 1, referenceUpdateRate: 0, lambdaSigma: 8 };
const level = (n: number, x: number) => new Array<number>(n).fill(x);

function run(mon: KnnDistanceMonitor, xs: number[]): KnnDistanceEvent[] {
  const events: KnnDistanceEvent[] = [];
  for (const x of xs) {
    const e = mon.update(x).lastEvent;
    if (e) events.push(e);
  }
  return events;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('KnnDistanceMonitor', () => {
  // μ = 10, σ = 1 → δ = 0.75, λ = 8, exit below 4. A +5σ shift adds 4.25 per frame: PH = 8.5 > 8
  // on its 2nd frame (index 101). Back at μ, the capped PH (8) falls by 0.75 per frame: first below 4
  // at index 155 (3.5), fifteenth consecutive at 169.
  const stream = [...level(100, 10), ...level(50, 15), ...level(100, 10)];

  it('emits exactly one start and one end where the constructed stream says', () => {
    const mon = new KnnDistanceMonitor(REF);
    const events = run(mon, stream);
    expect(events.map((e) => [e.phase, e.episode, e.frameIndex])).toEqual([
      ['start', 1, 101],
      ['end', 1, 169],
    ]);
    expect(events[0]?.thresholds).toEqual({ delta: 0.75, lambda: 8, exit: 4 });
    expect(events[0]?.statistics.pageHinkley).toBe(8.5);
  });

  it('sets driftDetected only on the frame that starts the episode', () => {
    const mon = new KnnDistanceMonitor(REF);
    const flagged = stream.flatMap((x, i) => (mon.update(x).driftDetected ? [i] : []));
    expect(flagged).toEqual([101]);
  });

  it('holds off a new episode for cooldownFrames after the previous one ended', () => {
    const twoShifts = [...stream, ...level(40, 15), ...level(100, 10)];
    const starts = (cooldownFrames: number) =>
      run(new KnnDistanceMonitor({ ...REF, cooldownFrames }), twoShifts)
        .filter((e) => e.phase === 'start')
        .map((e) => e.frameIndex);
    // Second shift begins at 250: without cooldown it starts at 251; a 100-frame cooldown from the
    // end at 169 keeps it off until 269 (the accumulated PH is well above λ by then).
    expect(starts(0)).toEqual([101, 251]);
    expect(starts(100)).toEqual([101, 269]);
  });

  it('learns its reference from stable frames only during warm-up', () => {
    const mon = new KnnDistanceMonitor({ warmUpFrames: 10, minConfidence: 0.9 });
    for (let i = 0; i < 50; i++) mon.updateWithContext(100, { confidence: 0.3, label: 'a' });
    expect(mon.reference).toBeNull();
    for (let i = 0; i < 10; i++) mon.updateWithContext(i % 2 ? 11 : 9, { confidence: 1, label: 'a' });
    expect(mon.reference).toEqual({ mean: 10, std: 1 });
    // By default any confidence counts, but a frame without a (known) label never does.
    const byDefault = new KnnDistanceMonitor({ warmUpFrames: 10, knownClasses: ['a'] });
    for (let i = 0; i < 20; i++) byDefault.updateWithContext(100, { confidence: 1, label: i % 2 ? null : 'b' });
    expect(byDefault.reference).toBeNull();
    for (let i = 0; i < 10; i++) byDefault.updateWithContext(i % 2 ? 11 : 9, { confidence: 0.2, label: 'a' });
    expect(byDefault.reference).toEqual({ mean: 10, std: 1 });
  });

  it('updates the reference only from confident known-class frames outside episodes', () => {
    // The confidence gate is off by default (it biases the reference low on real features); set here.
    const mon = new KnnDistanceMonitor({ ...REF, referenceUpdateRate: 0.1, knownClasses: ['a'], minConfidence: 0.9 });
    for (let i = 0; i < 20; i++) mon.updateWithContext(10.5, { confidence: 0.5, label: 'a' });
    for (let i = 0; i < 20; i++) mon.updateWithContext(10.5, { confidence: 1, label: 'unknown' });
    expect(mon.reference?.mean).toBe(10);
    mon.updateWithContext(10.5, { confidence: 1, label: 'a' });
    expect(mon.reference?.mean).toBeCloseTo(10.05, 12);
    const frozen = new KnnDistanceMonitor({ ...REF, referenceUpdateRate: 0.1 });
    for (let i = 0; i < 30; i++) frozen.updateWithContext(20, { confidence: 1, label: 'a' });
    expect(frozen.inEpisode).toBe(true);
    const during = frozen.reference?.mean;
    for (let i = 0; i < 5; i++) frozen.updateWithContext(20, { confidence: 1, label: 'a' });
    expect(frozen.reference?.mean).toBe(during);
  });

  it('continues the same episode after a snapshot/restore mid-episode', () => {
    const original = new KnnDistanceMonitor(REF);
    const before = run(original, stream.slice(0, 130));
    expect(original.inEpisode).toBe(true);
    const snap = DetectorSnapshot.parse(JSON.parse(JSON.stringify(original.snapshot())));
    expect(snap.kind).toBe('knn-distance');
    const restored = KnnDistanceMonitor.fromSnapshot(snap);
    expect(restored.inEpisode).toBe(true);
    const rest = stream.slice(130);
    const after = run(restored, rest);
    expect(before.map((e) => e.phase)).toEqual(['start']);
    expect(after).toEqual(run(original, rest));
    expect(after.map((e) => [e.phase, e.episode, e.frameIndex])).toEqual([['end', 1, 169]]);
  });

  it('rejects a snapshot of another kind or with a corrupt state', () => {
    const snap = new KnnDistanceMonitor(REF).snapshot();
    expect(() => KnnDistanceMonitor.fromSnapshot({ ...snap, kind: 'adwin' })).toThrow(/cannot restore adwin/);
    expect(() => KnnDistanceMonitor.fromSnapshot({ ...snap, state: { ...snap.state, m: 'x' } })).toThrow(/state\.m/);
  });

  it('ignores and counts non-finite input', () => {
    const mon = new KnnDistanceMonitor(REF);
    mon.update(Number.NaN).update(Number.POSITIVE_INFINITY).update(10);
    expect(mon.ignoredCount).toBe(2);
    expect(mon.statistic).toBe(0);
  });

  it('resets to a state equal to a fresh instance', () => {
    const mon = new KnnDistanceMonitor(REF);
    run(mon, stream.slice(0, 120));
    mon.reset();
    expect(mon.snapshot()).toEqual(new KnnDistanceMonitor(REF).snapshot());
  });

  it('raises no episode on 20 000 frames of stationary noise with default options', () => {
    const r = rng(5);
    const noise = Array.from(
      { length: 20_000 },
      () => 40 + 10 * Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r()),
    );
    expect(
      run(
        KnnDistanceMonitor.fromReference({ schemaVersion: 1, knnDistance: { mean: 40, std: 10, samples: 500 } }),
        noise,
      ),
    ).toEqual([]);
  });

  it('validates its options, naming the option', () => {
    expect(() => new KnnDistanceMonitor({ lambdaSigma: 0 })).toThrow(/"lambdaSigma"/);
    expect(() => new KnnDistanceMonitor({ exitFraction: 1 })).toThrow(/"exitFraction"/);
    expect(() => new KnnDistanceMonitor({ referenceMean: 3 })).toThrow(/together with referenceStd/);
    expect(() => new KnnDistanceMonitor({ referenceMean: 3, referenceStd: 0 })).toThrow(/"referenceStd"/);
    expect(() => new KnnDistanceMonitor({ cooldownFrames: -1 })).toThrow(/"cooldownFrames"/);
  });
});
