import { encodeFloat32, type ValidationFeedback } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackAdapter, fromV1, type SampleFeedback } from './feedback-adapter.js';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined, referenceStats, type Blobs } from './fixtures/gaussian-blobs.js';
import { HeuristicAdapter } from './heuristic-adapter.js';

let rig: Rig;
let blobs: Blobs;
let truth: Map<string, string>;
let cursor = 0;
afterEach(() => rig.dispose());

function setup(): void {
  rig = createRig();
  blobs = gaussianBlobs(21, ['a', 'b', 'c']);
  fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
  truth = new Map();
}

function fb(sampleId: string, decision: 'label' | 'new-class' | 'false-alarm', label = 'bag'): SampleFeedback {
  const base = {
    feedbackId: `fb_${String(++cursor).padStart(8, '0')}`,
    cursor,
    sampleId,
    episodeId: 'ep_00000001',
    validatedAt: '2026-11-26T10:05:00.000Z',
  };
  const v1: ValidationFeedback = decision === 'false-alarm' ? { ...base, decision } : { ...base, decision, label };
  return fromV1(v1);
}

/** A label that carries its features (feedback v2), for a sample the device may never have held. */
function carried(sampleId: string, label: string, features: Float32Array, model = MODEL): SampleFeedback {
  const item = fb(sampleId, 'new-class', label);
  if (item.kind !== 'label') throw new Error('unreachable');
  return { ...item, features: encodeFloat32(features), model, source: 'fleet', sourceDeviceId: 'dev_peer0001' };
}

const MODEL = { modelId: 'blobs', version: '1.0.0' };

function accuracy(cls: string, expected: string, n = 50): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (rig.classifier.predict(blobs.draw(cls)).label === expected) ok++;
  return ok / n;
}

const knnBytes = (): string => JSON.stringify(rig.classifier.snapshotState());

describe('FeedbackAdapter', () => {
  it('teaches a new class from 10 validated labels without hurting the known classes', () => {
    setup();
    const ids = Array.from({ length: 10 }, () => {
      const s = quarantined(blobs, 'c', truth);
      rig.quarantine.add(s);
      return s.sampleId;
    });
    const outcomes = new FeedbackAdapter().apply(
      ids.map((id) => fb(id, 'new-class', 'bag')),
      rig,
    );
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('applied'));
    expect(outcomes.map((o) => o.event?.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(accuracy('c', 'bag')).toBeGreaterThanOrEqual(0.85);
    expect(accuracy('a', 'a')).toBe(1);
    expect(accuracy('b', 'b')).toBe(1);
    expect(rig.quarantine.size).toBe(0);
  });

  it('is idempotent: the same feedback delivered twice changes the KNN once', () => {
    setup();
    const s = quarantined(blobs, 'c', truth);
    rig.quarantine.add(s);
    const item = fb(s.sampleId, 'label', 'bag');
    const adapter = new FeedbackAdapter();
    adapter.apply([item], rig);
    const once = knnBytes();
    expect(adapter.apply([item], rig)[0]).toMatchObject({ status: 'merged', reason: 'already learnt as bag' });
    expect(knnBytes()).toBe(once);
  });

  it('drops a false alarm from quarantine without touching the KNN', () => {
    setup();
    const s = quarantined(blobs, 'a', truth);
    rig.quarantine.add(s);
    const before = knnBytes();
    const [o] = new FeedbackAdapter().apply([fb(s.sampleId, 'false-alarm')], rig);
    expect(o?.status).toBe('applied');
    expect(rig.quarantine.size).toBe(0);
    expect(knnBytes()).toBe(before);
  });

  it('rejects a label for a sample it no longer holds when the label carries no features (v1), recording nothing', () => {
    setup();
    expect(new FeedbackAdapter().apply([fb('smp_gone0001', 'label')], rig)).toEqual([
      {
        feedbackId: expect.any(String),
        cursor,
        status: 'rejected',
        reason: 'the device no longer holds the sample and the label carries no features',
      },
    ]);
    expect(rig.tracker.lastSeq).toBe(0);
  });

  it('applies labels from the features they carry when the samples are gone: 10 teach the new class', () => {
    setup();
    const items = Array.from({ length: 10 }, (_, i) =>
      carried(`smp_peer${String(i).padStart(4, '0')}`, 'bag', blobs.draw('c')),
    );
    const outcomes = new FeedbackAdapter().apply(items, { ...rig, checks: { model: MODEL, dim: 16 } });
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('applied'));
    expect(outcomes[0]?.event?.reason).toContain('shared by dev_peer0001');
    expect(accuracy('c', 'bag')).toBeGreaterThanOrEqual(0.85);
    expect(accuracy('a', 'a')).toBe(1);
    // The ledger remembers them: the same label again is merged, a false alarm undoes it.
    expect(new FeedbackAdapter().apply([items[0]!], rig)[0]?.status).toBe('merged');
    const [undo] = new FeedbackAdapter().apply([fb('smp_peer0000', 'label', 'a')], rig);
    expect(undo).toMatchObject({ status: 'applied', reason: 'replaced bag (1 samples left the KNN)' });
  });

  it('rejects carried features of another model version, another dimension or with non-finite values', () => {
    setup();
    const before = knnBytes();
    const ctx = { ...rig, checks: { model: MODEL, dim: 16 } };
    const other = carried('smp_peer1001', 'bag', blobs.draw('c'), { modelId: 'blobs', version: '2.0.0' });
    const short = carried('smp_peer1002', 'bag', blobs.draw('c').subarray(0, 8));
    const nan = carried(
      'smp_peer1003',
      'bag',
      Float32Array.from(blobs.draw('c'), (v, i) => (i === 3 ? NaN : v)),
    );
    expect(new FeedbackAdapter().apply([other, short, nan], ctx).map((o) => o.reason)).toEqual([
      'features come from blobs@2.0.0; this device runs blobs@1.0.0',
      "features have 8 values; this device's classifier takes 16",
      'features contain values that are not finite numbers',
    ]);
    expect(knnBytes()).toBe(before);
    expect(rig.tracker.lastSeq).toBe(0);
  });

  it('refuses a label shared from another device whose sample lies inside one of its own classes', () => {
    setup();
    const reference = referenceStats(rig.classifier, blobs, ['a', 'b']);
    const ctx = { ...rig, checks: { model: MODEL, dim: 16, reference } };
    const insideA = Float32Array.from(rig.classifier.features[0]!);
    const [shared] = new FeedbackAdapter().apply([carried('smp_peer2001', 'bag', insideA)], ctx);
    expect(shared?.status).toBe('rejected');
    expect(shared?.reason).toMatch(/^shared sample lies inside this device's class a \(distance/);
    // The same vector as a label of the device's own sample is applied: a person saw it here.
    const own = { ...carried('smp_self2002', 'bag', insideA), source: 'own' as const };
    expect(new FeedbackAdapter().apply([own], ctx)[0]?.status).toBe('applied');
  });

  describe('with a pseudo-class the device created autonomously', () => {
    function pseudo(): string[] {
      setup();
      for (let i = 0; i < 15; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
      const ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
      const events = new HeuristicAdapter({ reference: ref, seed: 2 }).run(rig);
      expect(events.map((e) => e.label)).toEqual(['pseudo-1']);
      return [...truth.keys()];
    }

    it('confirms a pseudo-label the server agrees with and changes nothing', () => {
      const [id] = pseudo();
      const before = knnBytes();
      const [o] = new FeedbackAdapter().apply([fb(id!, 'label', 'pseudo-1')], rig);
      expect(o?.status).toBe('merged');
      expect(o?.event?.stateVersionBefore).toBe(o?.event?.stateVersionAfter);
      expect(knnBytes()).toBe(before);
    });

    it('undoes a rejected pseudo-class: its samples leave the KNN and the server label takes over', () => {
      const [first, second] = pseudo();
      const [o] = new FeedbackAdapter().apply([fb(first!, 'new-class', 'bag')], rig);
      expect(o).toMatchObject({ status: 'applied', reason: 'replaced pseudo-1 (5 samples left the KNN)' });
      expect(o?.event).toMatchObject({ action: 'feedback-undone', label: 'pseudo-1', samples: 6 });
      expect(rig.classifier.classes).not.toContain('pseudo-1');
      expect(rig.classifier.sampleLabels.filter((l) => l === 'bag')).toHaveLength(1);
      // A later label for another member of the undone group only adds; nothing is removed twice.
      const [o2] = new FeedbackAdapter().apply([fb(second!, 'new-class', 'bag')], rig);
      expect(o2?.event?.samples).toBe(1);
      expect(rig.classifier.sampleLabels.filter((l) => l === 'bag')).toHaveLength(2);
      expect(rig.classifier.sampleLabels.length).toBe(62);
    });

    it('undoes a pseudo-class the server calls a false alarm', () => {
      const [id] = pseudo();
      const [o] = new FeedbackAdapter().apply([fb(id!, 'false-alarm')], rig);
      expect(o?.status).toBe('applied');
      expect(o?.event?.action).toBe('feedback-undone');
      expect(rig.classifier.sampleLabels.length).toBe(60);
    });
  });

  it('treats a false alarm on a reinforced known class as a confirmation', () => {
    setup();
    for (let i = 0; i < 8; i++) rig.quarantine.add(quarantined(blobs, 'a', truth));
    const ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
    expect(new HeuristicAdapter({ reference: ref }).run(rig).map((e) => e.action)).toEqual(['class-reinforced']);
    const before = knnBytes();
    const [o] = new FeedbackAdapter().apply([fb([...truth.keys()][0]!, 'false-alarm')], rig);
    expect(o).toMatchObject({ status: 'merged', reason: 'a is a known class' });
    expect(knnBytes()).toBe(before);
  });
});

describe('FeedbackAdapter after a reboot', () => {
  it('still undoes a pseudo-class created before the restart (the ledger is part of the state)', () => {
    setup();
    for (let i = 0; i < 15; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
    const ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
    new HeuristicAdapter({ reference: ref, seed: 2 }).run(rig);
    const probes = Array.from({ length: 20 }, (_, i) => blobs.draw(['a', 'b', 'c'][i % 3] ?? 'a'));
    const expected = probes.map((x) => rig.classifier.predict(x));
    const rebooted = createRig({ dir: rig.dir });
    expect(probes.map((x) => rebooted.classifier.predict(x))).toEqual(expected);
    expect(rebooted.tracker.lastSeq).toBe(1);
    const [o] = new FeedbackAdapter().apply([fb([...truth.keys()][0]!, 'new-class', 'bag')], rebooted);
    expect(o?.event).toMatchObject({ seq: 2, action: 'feedback-undone' });
    expect(rebooted.classifier.classes).toEqual(['a', 'b', 'bag']);
  });
});
