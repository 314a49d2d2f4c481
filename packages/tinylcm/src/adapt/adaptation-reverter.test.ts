import type { AdaptationEvent, FeedbackItem } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { relabelAdaptation, revertAdaptation } from './adaptation-reverter.js';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined, referenceStats, type Blobs } from './fixtures/gaussian-blobs.js';
import { HeuristicAdapter } from './heuristic-adapter.js';

let rig: Rig;
let blobs: Blobs;
let cursor = 100;
afterEach(() => rig.dispose());

/** A KNN of classes a and b, then a pseudo-class made by the heuristic from 15 samples of c. */
function pseudoClass(): AdaptationEvent {
  rig = createRig();
  blobs = gaussianBlobs(21, ['a', 'b', 'c']);
  fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
  const truth = new Map<string, string>();
  for (let i = 0; i < 15; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
  const ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
  const [event] = new HeuristicAdapter({ reference: ref, seed: 2 }).run(rig);
  if (!event) throw new Error('no pseudo-class');
  return event;
}

const ref = (e: AdaptationEvent) => ({
  seq: e.seq,
  action: e.action,
  ...(e.label ? { label: e.label } : {}),
  stateVersionBefore: e.stateVersionBefore,
  stateVersionAfter: e.stateVersionAfter,
});
type Revert = Extract<FeedbackItem, { kind: 'revert' }>;
type Relabel = Extract<FeedbackItem, { kind: 'relabel' }>;
function base() {
  cursor++;
  return { feedbackId: `fb_${String(cursor).padStart(8, '0')}`, cursor, issuedAt: '2026-11-26T11:00:00.000Z' };
}
const revert = (e: AdaptationEvent): Revert => ({ ...base(), kind: 'revert', adaptation: ref(e) });
const relabel = (e: AdaptationEvent, label: string): Relabel => ({
  ...base(),
  kind: 'relabel',
  adaptation: ref(e),
  label,
});
const knnBytes = () => JSON.stringify(rig.classifier.snapshotState());
const probes = () => Array.from({ length: 30 }, (_, i) => blobs.draw(['a', 'b', 'c'][i % 3] ?? 'a'));

describe('revertAdaptation', () => {
  it('rolls back to the version before when nothing changed since: predictions as before, byte for byte', () => {
    rig = createRig();
    blobs = gaussianBlobs(21, ['a', 'b', 'c']);
    fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
    const bytes = knnBytes();
    const xs = probes();
    const before = JSON.stringify(xs.map((x) => rig.classifier.predict(x)));
    rig.dispose();
    const e = pseudoClass();
    // pseudoClass() rebuilt the same KNN (same seed), then adapted: the probes now see pseudo-1.
    expect(xs.some((x) => rig.classifier.predict(x).label === 'pseudo-1')).toBe(true);
    const o = revertAdaptation(revert(e), rig);
    expect(o).toMatchObject({ status: 'applied', reason: `rolled back to state version ${e.stateVersionBefore}` });
    expect(o.event).toMatchObject({ action: 'adaptation-reverted', stateVersionBefore: e.stateVersionAfter });
    expect(knnBytes()).toBe(bytes);
    expect(JSON.stringify(xs.map((x) => rig.classifier.predict(x)))).toBe(before);
    // Its samples are not pending again, so the heuristic does not relearn them at once.
    expect(rig.quarantine.size).toBe(0);
  });

  it('removes only what the adaptation added when the model changed since, and keeps the later change', () => {
    const e = pseudoClass();
    rig.runner.commit({ action: 'feedback-applied', label: 'd', samples: 1, reason: 'later label' }, () =>
      rig.classifier.add(
        Float32Array.from(blobs.draw('a'), (v) => v * 3),
        'd',
      ),
    );
    const o = revertAdaptation(revert(e), rig);
    expect(o).toMatchObject({ status: 'applied', reason: 'removed the 5 samples it added (later changes kept)' });
    expect(rig.classifier.classes).toEqual(['a', 'b', 'd']);
    expect(revertAdaptation(revert(e), rig)).toMatchObject({ status: 'merged' });
  });

  it('rejects an adaptation the device does not know, or one whose versions differ (another journal)', () => {
    const e = pseudoClass();
    const unknown = revertAdaptation(revert({ ...e, seq: 9 }), rig);
    expect(unknown).toMatchObject({ status: 'rejected', reason: "adaptation 9 is not in this device's journal" });
    expect(revertAdaptation(revert({ ...e, stateVersionAfter: 7 }), rig).reason).toMatch(/is another one/);
  });
});

describe('relabelAdaptation', () => {
  it("renames a pseudo-class everywhere: same samples, the person's name", () => {
    const e = pseudoClass();
    const count = rig.classifier.sampleLabels.filter((l) => l === 'pseudo-1').length;
    const o = relabelAdaptation(relabel(e, 'bag'), rig);
    expect(o).toMatchObject({ status: 'applied', reason: `${count} samples moved from pseudo-1 to bag` });
    expect(rig.classifier.classes).toEqual(['a', 'b', 'bag']);
    expect(rig.quarantine.ledgerOf('bag').length).toBe(15);
    // Delivered again (after a crash): nothing left to rename, nothing changes.
    expect(relabelAdaptation(relabel(e, 'bag'), rig).status).toBe('merged');
  });

  it('moves just the samples of a reinforcement to the right class', () => {
    rig = createRig();
    blobs = gaussianBlobs(5, ['a', 'b', 'c']);
    fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
    const truth = new Map<string, string>();
    for (let i = 0; i < 8; i++) rig.quarantine.add(quarantined(blobs, 'a', truth));
    const ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
    const [e] = new HeuristicAdapter({ reference: ref }).run(rig);
    expect(e?.action).toBe('class-reinforced');
    const o = relabelAdaptation(relabel(e!, 'a2'), rig);
    expect(o).toMatchObject({ status: 'applied', reason: '5 samples moved from a to a2' });
    expect(rig.classifier.sampleLabels.filter((l) => l === 'a')).toHaveLength(30);
  });
});
