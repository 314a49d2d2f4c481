/**
 * The adaptation evaluation's rows: what each run scored, in the fields the `--json` line keeps
 * (`mode`, `labels`, `newClassAccuracy`, `oldClassAccuracyDrop` in points, `rollbacks`,
 * `validationDelay`, `device`, `seed`) plus the details the tables show.
 */
import type { OperationalMode } from '@tinymlops/contracts';
import type { FleetResult } from './adaptation-fleet.js';
import type { PseudoClass, RunResult, ValidationDelay } from './adaptation-run.js';
import { HELD_OUT_NAMES, STREAM, type StreamFrame } from './adaptation-stream.js';

/** New-class accuracy at first sight and old-class drop (points) of one run of device B. */
export interface Score {
  accuracy: number;
  drop: number;
}

/** One row of the evaluation. */
export interface EvalRow {
  mode: OperationalMode;
  labels: number;
  newClassAccuracy: number;
  oldClassAccuracyDrop: number;
  rollbacks: number;
  validationDelay: ValidationDelay;
  device: 'reporter' | 'fleet';
  seed: number;
  /** A replay as an old (v1) device, for comparison; left out of the JSON line. */
  v1: boolean;
  name: string;
  details: {
    perClass: Record<string, number>;
    recurrence: number | null;
    oldClassAccuracy: number;
    pseudoClasses: PseudoClass[];
    quarantined: number | null;
    labelsApplied: number | null;
    shared?: {
      samples: number;
      applied: number;
      rejected: number;
      unguarded: Score;
      /** Every new-class frame of A's first episode shared, truth-labelled: what sharing can give at most. */
      ceiling: Score & { samples: number; unguarded: Score };
    };
  };
}

/**
 * Accuracy of `predicted` over the frames `pick` selects (NaN when it selects none).
 * @example
 * accuracy(run.predicted, frames, (f) => f.heldOut);
 */
export function accuracy(predicted: string[], frames: StreamFrame[], pick: (f: StreamFrame) => boolean): number {
  const sel = frames.filter(pick);
  return sel.filter((f) => predicted[f.index] === f.truth).length / sel.length;
}

const afterDrift = (f: StreamFrame) => !f.heldOut && f.index >= STREAM.episodes[0].start;

/**
 * A reporter row: new-class accuracy over the 100 frames after the labels arrived; old-class drop
 * over the known-class frames from the labels on (before them a delayed row has learnt nothing, so
 * counting those frames would dilute its drop), against monitoring-only's `baseline` predictions.
 */
export function reporterRow(run: RunResult, frames: StreamFrame[], baseline: string[], seed: number): EvalRow {
  const window = (f: StreamFrame) => f.index >= run.labelsAt && f.index < run.labelsAt + STREAM.window;
  const second = STREAM.episodes[1];
  const afterLabels = (f: StreamFrame) => afterDrift(f) && f.index >= run.labelsAt;
  const old = accuracy(run.predicted, frames, afterLabels);
  const baselineOld = accuracy(baseline, frames, afterLabels);
  const delay = run.spec.delay ?? '0';
  return {
    mode: run.spec.mode,
    labels: run.spec.labels === 'all' ? run.labelsSent : run.spec.labels,
    newClassAccuracy: accuracy(run.predicted, frames, (f) => f.heldOut && window(f)),
    oldClassAccuracyDrop: 100 * (baselineOld - old),
    rollbacks: run.rollbacks,
    validationDelay: delay,
    device: 'reporter',
    seed,
    v1: run.spec.v1 === true,
    name: run.spec.name,
    details: {
      perClass: perClass(run.predicted, frames, window),
      recurrence: delay === '0' ? accuracy(run.predicted, frames, (f) => f.heldOut && inEpisode(f, second)) : null,
      oldClassAccuracy: old,
      pseudoClasses: run.pseudoClasses,
      quarantined: run.quarantined,
      labelsApplied: run.spec.labels === 0 ? null : run.labelsApplied,
    },
  };
}

/** The fleet row: device B's accuracy on the first 100 new-class frames it sees (its first episode). */
export function fleetRow(r: FleetResult, b: StreamFrame[], seed: number): EvalRow {
  const start = STREAM.episodes[0].start;
  const firstSight = (f: StreamFrame) => f.index >= start && f.index < start + STREAM.window;
  const old = accuracy(r.predicted, b, afterDrift);
  const baselineOld = accuracy(r.baseline, b, afterDrift);
  const score = (predicted: string[]): Score => ({
    accuracy: accuracy(predicted, b, (f) => f.heldOut && firstSight(f)),
    drop: 100 * (baselineOld - accuracy(predicted, b, afterDrift)),
  });
  return {
    mode: 'server-assisted',
    labels: r.labels,
    newClassAccuracy: accuracy(r.predicted, b, (f) => f.heldOut && firstSight(f)),
    oldClassAccuracyDrop: 100 * (baselineOld - old),
    rollbacks: 0,
    validationDelay: '0',
    device: 'fleet',
    seed,
    v1: false,
    name: 'fleet: device B, A\u2019s labels shared',
    details: {
      perClass: perClass(r.predicted, b, firstSight),
      recurrence: null,
      oldClassAccuracy: old,
      pseudoClasses: [],
      quarantined: null,
      labelsApplied: null,
      shared: {
        samples: r.shared,
        applied: r.applied,
        rejected: r.rejected,
        unguarded: score(r.unguarded),
        ceiling: { samples: r.ceiling.samples, ...score(r.ceiling.predicted), unguarded: score(r.ceiling.unguarded) },
      },
    },
  };
}

function perClass(predicted: string[], frames: StreamFrame[], window: (f: StreamFrame) => boolean) {
  return Object.fromEntries(
    HELD_OUT_NAMES.map((c) => [c, accuracy(predicted, frames, (f) => f.truth === c && window(f))]),
  );
}

function inEpisode(f: StreamFrame, e: { start: number; end: number }): boolean {
  return f.index >= e.start && f.index < e.end;
}
