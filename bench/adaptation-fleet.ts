/**
 * The fleet row of the adaptation evaluation: device A (the reporter) gets 10 validated labels and
 * learns the new classes (its own propagation included); a person accepts A's adaptations and
 * shares them, so every sample A learnt the new classes with — features and label, never an image —
 * reaches device B, which runs another draw of the scenario and has never seen the new classes.
 * B gets them before its first frame; its new-class accuracy is measured on the first 100
 * new-class frames it ever sees, its old-class drop against the same stream without sharing.
 * The ceiling run shares every new-class frame of A's first episode with its true label, as if a
 * person had validated all of them: the most any sharing of that episode could give B.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LoadedBundle } from '../packages/tinylcm/src/index.js';
import { openEvalDevice } from './adaptation-device.js';
import { labelItems, type LabelCandidate } from './adaptation-labels.js';
import { HELD_OUT_NAMES, STREAM, type StreamFrame } from './adaptation-stream.js';

/** What the fleet run produced on device B. */
export interface FleetResult {
  /** B's predictions per frame, with sharing, without the guard, and without sharing (the old-class baseline). */
  predicted: string[];
  unguarded: string[];
  baseline: string[];
  /** Samples shared by A, and how many B applied and refused (its guard). */
  shared: number;
  applied: number;
  rejected: number;
  /** The labels A itself got from the server. */
  labels: number;
  /** B with every new-class frame of A's first episode shared (truth-labelled), with and without its guard. */
  ceiling: { samples: number; predicted: string[]; unguarded: string[] };
}

/**
 * Runs A on `a` up to the end of its first episode with `labels` validated labels at `labelsAt`,
 * then B on `b`: once with A's shared samples, once without.
 * @example
 * const r = await runFleet(bundle, framesA, framesB, 10);
 */
export async function runFleet(
  bundle: LoadedBundle,
  a: StreamFrame[],
  b: StreamFrame[],
  labels: number,
): Promise<FleetResult> {
  const shared = await reporterSamples(bundle, a, labels);
  const withShares = await runB(bundle, b, shared, true);
  const unguarded = await runB(bundle, b, shared, false);
  const baseline = await runB(bundle, b, [], true);
  const { predicted, applied, rejected } = withShares;
  const counts = { shared: shared.length, applied, rejected, labels };
  const everything = a
    .filter((f) => f.heldOut && f.index < STREAM.episodes[0].end)
    .map((f) => ({
      sampleId: `smp_a${String(f.index).padStart(6, '0')}`,
      features: f.features,
      truth: f.truth,
      heldOut: true,
    }));
  const ceiling = {
    samples: everything.length,
    predicted: (await runB(bundle, b, everything, true)).predicted,
    unguarded: (await runB(bundle, b, everything, false)).predicted,
  };
  return { predicted, unguarded: unguarded.predicted, baseline: baseline.predicted, ...counts, ceiling };
}

/**
 * A's run: the samples it learnt each new class with (validated and propagated), as a person would accept them.
 * @example
 * const shared = await reporterSamples(bundle, framesA, 10); // what B receives
 */
export async function reporterSamples(
  bundle: LoadedBundle,
  frames: StreamFrame[],
  labels: number,
): Promise<LabelCandidate[]> {
  return withDir(async (dir) => {
    let clock = Date.UTC(2026, 10, 26, 12);
    const device = openEvalDevice(bundle, 'server-assisted', dir, () => clock);
    const quarantined: LabelCandidate[] = [];
    for (const f of frames.slice(0, STREAM.episodes[0].end)) {
      clock += 500;
      if (f.index === STREAM.labelsAt - 1) {
        const picked = quarantined.filter((s) => s.heldOut).slice(0, labels);
        await device.adaptation.applyInbox(labelItems(bundle, picked, { carryFeatures: true }));
      }
      const sampleId = `smp_a${String(f.index).padStart(6, '0')}`;
      const { quarantined: q } = await device.step(f, sampleId);
      if (q) quarantined.push({ sampleId, features: f.features, truth: f.truth, heldOut: f.heldOut });
    }
    const learnt = (truth: string): LabelCandidate[] =>
      device.adaptation.quarantine
        .ledgerOf(truth)
        .map(({ sampleId, features }) => ({ sampleId, features, truth, heldOut: true }));
    return HELD_OUT_NAMES.flatMap(learnt);
  });
}

/** B's run with `shared` applied before its first frame (`guard`: B refuses samples inside its own classes). */
async function runB(bundle: LoadedBundle, frames: StreamFrame[], shared: LabelCandidate[], guard: boolean) {
  return withDir(async (dir) => {
    let clock = Date.UTC(2026, 10, 27, 12);
    const device = openEvalDevice(bundle, 'server-assisted', dir, () => clock, { fleetGuard: guard });
    const items = labelItems(bundle, shared, { carryFeatures: true, source: 'fleet' });
    const outcomes = items.length ? await device.adaptation.applyInbox(items) : [];
    const predicted: string[] = [];
    for (const f of frames) {
      clock += 500;
      predicted.push((await device.step(f, `smp_b${String(f.index).padStart(6, '0')}`)).label);
    }
    const count = (s: string) => outcomes.filter((o) => o.status === s).length;
    return { predicted, applied: count('applied'), rejected: count('rejected') };
  });
}

async function withDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'adapt-fleet-'));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
