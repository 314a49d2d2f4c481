import { DetectorSnapshot } from '@tinymlops/contracts';
import { alarmsOf, restoreDetector, type DriftDetector } from '@tinymlops/tinylcm';
import { describe, expect, it } from 'vitest';

/** The checks of {@link runDetectorConformance}, by name (for `skip`). */
export const DETECTOR_CONFORMANCE_TESTS = [
  'stationary',
  'shift',
  'reset',
  'snapshot',
  'determinism',
  'non-finite',
  'returns-this',
] as const;
export type DetectorConformanceTest = (typeof DETECTOR_CONFORMANCE_TESTS)[number];

/** One detector under test, with the streams and bounds its checks use. */
export interface DetectorConformanceCase<X> {
  /** Shown in the test names. */
  readonly name: string;
  /** A fresh detector (same options every call). */
  readonly create: () => DriftDetector<X>;
  /** A long seeded stream without drift. */
  readonly stationary: () => readonly X[];
  /** A seeded stream with one abrupt shift at `driftAt`. */
  readonly shifted: () => { readonly values: readonly X[]; readonly driftAt: number };
  /** Most alarms allowed on the stationary stream (and before `driftAt` on the shifted one). */
  readonly falseAlarmBudget: number;
  /** The first alarm at or after `driftAt` must come within this many samples. */
  readonly maxDelay: number;
  /** Inputs that must be ignored and counted. Default NaN, Infinity, -Infinity. */
  readonly nonFinite?: readonly unknown[];
  /** Rebuilds from a snapshot. Default: the registry's `restoreDetector`. */
  readonly restore?: (snapshot: unknown) => DriftDetector<X>;
  /** Checks that do not apply, each with the reason. */
  readonly skip?: readonly { readonly reason: string; readonly tests: readonly DetectorConformanceTest[] }[];
}

/** Indices at which a detector raised drift while consuming a stream (tinylcm's `alarmsOf`). */
export const alarmIndices = alarmsOf;

/**
 * Registers the conformance checks every drift detector must pass (DESIGN §4, code-style §8.4):
 * false-alarm budget on a stationary stream, bounded delay after an abrupt shift, `reset()` equal
 * to a fresh instance, snapshot → JSON → restore mid-stream with identical future alarms, seeded
 * determinism, non-finite input ignored and counted, and `update` returning `this`.
 */
export function runDetectorConformance<X>(c: DetectorConformanceCase<X>): void {
  const skipped = new Map<DetectorConformanceTest, string>();
  for (const s of c.skip ?? []) for (const t of s.tests) skipped.set(t, s.reason);
  const restore = c.restore ?? ((s: unknown) => restoreDetector(s) as DriftDetector<X>);
  const check = (test: DetectorConformanceTest, title: string, body: () => void): void => {
    const reason = skipped.get(test);
    if (reason === undefined) it(title, body);
    else it.skip(`${title} (skipped: ${reason})`, body);
  };

  describe(`${c.name} conformance`, () => {
    check('stationary', `raises at most ${c.falseAlarmBudget} alarms on a long stationary stream`, () => {
      expect(alarmIndices(c.create(), c.stationary()).length).toBeLessThanOrEqual(c.falseAlarmBudget);
    });

    check('shift', `detects an abrupt shift within ${c.maxDelay} samples`, () => {
      const { values, driftAt } = c.shifted();
      const alarms = alarmIndices(c.create(), values);
      expect(alarms.filter((i) => i < driftAt).length).toBeLessThanOrEqual(c.falseAlarmBudget);
      const first = alarms.find((i) => i >= driftAt);
      expect(first, 'no alarm after the shift').toBeDefined();
      expect(first! - driftAt).toBeLessThanOrEqual(c.maxDelay);
    });

    check('reset', 'after reset() behaves exactly like a fresh instance', () => {
      const { values } = c.shifted();
      const used = c.create();
      alarmIndices(used, values.slice(0, Math.floor(values.length * 0.7)));
      used.update(NaN as X);
      used.reset();
      expect(used.ignoredCount).toBe(0);
      expect(used.driftDetected).toBe(false);
      expect(JSON.stringify(used.snapshot())).toEqual(JSON.stringify(c.create().snapshot()));
      expect(alarmIndices(used, values)).toEqual(alarmIndices(c.create(), values));
    });

    check('snapshot', 'snapshot → JSON → restore mid-stream gives identical future alarms', () => {
      const { values, driftAt } = c.shifted();
      // Cuts early (inside warm-ups and reference collection), before the shift and inside it.
      const cuts = [
        7,
        Math.floor(driftAt / 10),
        Math.floor(driftAt / 3),
        driftAt - 1,
        driftAt + Math.floor(c.maxDelay / 2),
      ];
      for (const cut of cuts) {
        const original = c.create();
        alarmIndices(original, values.slice(0, cut));
        const json: unknown = JSON.parse(JSON.stringify(original.snapshot()));
        expect(DetectorSnapshot.safeParse(json).success).toBe(true);
        const copy = restore(json);
        expect(copy.kind).toBe(original.kind);
        const rest = values.slice(cut);
        expect(alarmIndices(copy, rest)).toEqual(alarmIndices(original, rest));
        expect(JSON.stringify(copy.snapshot())).toEqual(JSON.stringify(original.snapshot()));
      }
    });

    check('determinism', 'is deterministic: same options and stream give the same alarms', () => {
      const { values } = c.shifted();
      expect(c.shifted().values).toEqual(values);
      expect(alarmIndices(c.create(), values)).toEqual(alarmIndices(c.create(), values));
    });

    check('non-finite', 'ignores and counts non-finite inputs without changing later alarms', () => {
      const bad = c.nonFinite ?? [NaN, Infinity, -Infinity];
      const { values } = c.shifted();
      const noisy: X[] = [];
      const positions: number[] = [];
      values.forEach((v, i) => {
        if (i % 97 === 5) noisy.push(bad[i % bad.length] as X);
        positions.push(noisy.length);
        noisy.push(v);
      });
      const detector = c.create();
      const noisyAlarms = alarmIndices(detector, noisy);
      expect(detector.ignoredCount).toBe(noisy.length - values.length);
      const expected = alarmIndices(c.create(), values).map((i) => positions[i]);
      expect(noisyAlarms).toEqual(expected);
    });

    check('returns-this', 'update returns the detector itself', () => {
      const detector = c.create();
      const { values } = c.shifted();
      expect(detector.update(values[0]!)).toBe(detector);
      expect(typeof detector.statistic).toBe('number');
    });
  });
}
