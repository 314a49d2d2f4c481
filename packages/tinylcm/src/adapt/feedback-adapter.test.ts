import type { ValidationFeedback } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { FeedbackAdapter } from './feedback-adapter.js';
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

function fb(sampleId: string, decision: 'label' | 'new-class' | 'false-alarm', label = 'bag'): ValidationFeedback {
  const base = {
    feedbackId: `fb_${String(++cursor).padStart(8, '0')}`,
    cursor,
    sampleId,
    episodeId: 'ep_00000001',
    validatedAt: '2026-11-26T10:05:00.000Z',
  };
  return decision === 'false-alarm' ? { ...base, decision } : { ...base, decision, label };
}

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
    expect(adapter.apply([item], rig)[0]?.status).toBe('confirmed');
    expect(knnBytes()).toBe(once);
  });

  it('drops a false alarm from quarantine without touching the KNN', () => {
    setup();
    const s = quarantined(blobs, 'a', truth);
    rig.quarantine.add(s);
    const before = knnBytes();
    const [o] = new FeedbackAdapter().apply([fb(s.sampleId, 'false-alarm')], rig);
    expect(o?.status).toBe('dropped');
    expect(rig.quarantine.size).toBe(0);
    expect(knnBytes()).toBe(before);
  });

  it('reports a sample it no longer holds as unknown and records nothing', () => {
    setup();
    expect(new FeedbackAdapter().apply([fb('smp_gone0001', 'label')], rig)).toEqual([
      { feedbackId: expect.any(String), sampleId: 'smp_gone0001', status: 'unknown-sample' },
    ]);
    expect(rig.tracker.lastSeq).toBe(0);
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
      expect(o?.status).toBe('confirmed');
      expect(o?.event?.stateVersionBefore).toBe(o?.event?.stateVersionAfter);
      expect(knnBytes()).toBe(before);
    });

    it('undoes a rejected pseudo-class: its samples leave the KNN and the server label takes over', () => {
      const [first, second] = pseudo();
      const [o] = new FeedbackAdapter().apply([fb(first!, 'new-class', 'bag')], rig);
      expect(o?.status).toBe('undone');
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
      expect(o?.status).toBe('undone');
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
    expect(o?.status).toBe('confirmed');
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
    expect(o?.status).toBe('undone');
    expect(o?.event?.seq).toBe(2);
    expect(rebooted.classifier.classes).toEqual(['a', 'b', 'bag']);
  });
});
