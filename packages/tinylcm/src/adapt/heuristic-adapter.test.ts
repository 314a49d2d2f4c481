import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined, referenceStats, type Blobs } from './fixtures/gaussian-blobs.js';
import { HeuristicAdapter } from './heuristic-adapter.js';

const KNOWN = ['a', 'b'];
let rig: Rig;
afterEach(() => rig.dispose());

/** KNN of two known classes; quarantine holds `newClass` samples of c and `nearA` samples of a. */
function setup(
  scale: number,
  newClass: number,
  nearA: number,
  seed = 3,
): { blobs: Blobs; truth: Map<string, string>; ref: { mean: number; std: number } } {
  rig = createRig();
  const blobs = gaussianBlobs(seed, ['a', 'b', 'c', 'd'], 16, scale);
  fillKnn(rig.classifier, blobs, KNOWN, 30);
  const ref = referenceStats(rig.classifier, blobs, KNOWN);
  const truth = new Map<string, string>();
  for (let i = 0; i < newClass; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
  for (let i = 0; i < nearA; i++) rig.quarantine.add(quarantined(blobs, 'a', truth));
  return { blobs, truth, ref };
}

function accuracy(blobs: Blobs, cls: string, expected: string, n = 50): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (rig.classifier.predict(blobs.draw(cls)).label === expected) ok++;
  return ok / n;
}

describe('HeuristicAdapter', () => {
  it('turns a dense far cluster into pseudo-1 and a cluster near a known class into reinforcement', () => {
    const { blobs, truth, ref } = setup(100, 25, 10);
    const events = new HeuristicAdapter({ reference: ref, seed: 7 }).run(rig);
    expect(events.map((e) => [e.action, e.label])).toEqual(
      expect.arrayContaining([
        ['pseudo-class-created', 'pseudo-1'],
        ['class-reinforced', 'a'],
      ]),
    );
    expect(events).toHaveLength(2);
    const pseudoMembers = [...truth.keys()].filter((id) => rig.quarantine.adapted(id)?.label === 'pseudo-1');
    const purity = pseudoMembers.filter((id) => truth.get(id) === 'c').length / pseudoMembers.length;
    expect(purity).toBeGreaterThanOrEqual(0.8);
    expect(rig.quarantine.size).toBe(0);
    expect(accuracy(blobs, 'c', 'pseudo-1')).toBeGreaterThanOrEqual(0.9);
    expect(accuracy(blobs, 'a', 'a')).toBe(1);
    expect(accuracy(blobs, 'b', 'b')).toBe(1);
  });

  it('records every decision with seq numbers and snapshots before and after', () => {
    const { ref } = setup(100, 25, 10);
    const events = new HeuristicAdapter({ reference: ref, seed: 7 }).run(rig);
    expect(events.map((e) => e.seq)).toEqual([1, 2]);
    expect(rig.tracker.readSince(0)).toEqual(events);
    for (const e of events) {
      expect(e.stateVersionAfter).toBeGreaterThan(e.stateVersionBefore);
      const before = rig.store.load(e.stateVersionBefore).components.classifier as { labels: string[] };
      const after = rig.store.load(e.stateVersionAfter).components.classifier as { labels: string[] };
      expect(after.labels.length - before.labels.length).toBe(e.samples);
    }
  });

  it('decides the same at any feature scale, because thresholds are relative to the reference', () => {
    const summary = (scale: number): string[] => {
      const { ref } = setup(scale, 25, 10);
      const events = new HeuristicAdapter({ reference: ref, seed: 7 }).run(rig);
      const out = events.map((e) => `${e.action}:${e.label}:${e.metrics?.['clusterSize']}`);
      rig.dispose();
      return out;
    };
    const at100 = summary(100);
    expect(summary(0.001)).toEqual(at100);
    expect(summary(10_000)).toEqual(at100);
    rig = createRig(); // afterEach disposes one rig
  });

  it('leaves scattered samples quarantined: no dense cluster, no change', () => {
    const { ref } = setup(100, 0, 0);
    const wide = gaussianBlobs(11, ['x'], 16, 100, 2.5); // 30× wider than a class: never dense
    for (let i = 0; i < 20; i++) {
      rig.quarantine.add({
        sampleId: `smp_w${String(i).padStart(7, '0')}`,
        features: wide.draw('x'),
        prediction: 'a',
        confidence: 0.2,
        at: i,
      });
    }
    const before = JSON.stringify(rig.classifier.snapshotState());
    expect(new HeuristicAdapter({ reference: ref }).run(rig)).toEqual([]);
    expect(JSON.stringify(rig.classifier.snapshotState())).toBe(before);
    expect(rig.quarantine.size).toBe(20);
  });

  it('waits for minClusterSize samples before deciding anything', () => {
    const { ref } = setup(100, 4, 0);
    expect(new HeuristicAdapter({ reference: ref, minClusterSize: 5 }).run(rig)).toEqual([]);
    expect(rig.quarantine.size).toBe(4);
  });

  it('names a second new class pseudo-2 and is deterministic for a seed', () => {
    const { blobs, truth, ref } = setup(100, 12, 0);
    const adapter = new HeuristicAdapter({ reference: ref, seed: 5 });
    adapter.run(rig);
    for (let i = 0; i < 12; i++) rig.quarantine.add(quarantined(blobs, 'd', truth));
    const second = adapter.run(rig);
    expect(second.map((e) => [e.action, e.label])).toEqual([['pseudo-class-created', 'pseudo-2']]);
    expect(accuracy(blobs, 'd', 'pseudo-2')).toBeGreaterThanOrEqual(0.9);
    expect(accuracy(blobs, 'c', 'pseudo-1')).toBeGreaterThanOrEqual(0.9);
  });

  it('judges each cluster after the previous one: two halves of a new class become pseudo-1 plus reinforcement', () => {
    const { blobs, truth, ref } = setup(100, 15, 0);
    const offset = Float32Array.from(blobs.centres['c'] ?? [], (_, i) => (i === 0 ? 1.5 * ref.mean : 0));
    for (let i = 0; i < 15; i++) {
      const s = quarantined(blobs, 'c', truth);
      s.features.forEach((v, j) => (s.features[j] = v + (offset[j] ?? 0)));
      rig.quarantine.add(s);
    }
    // Wide known-class band so that the second half, 1.5 reference means away, counts as near pseudo-1.
    const events = new HeuristicAdapter({ reference: ref, seed: 7, spreadFactor: 1, newClassZ: 8, knownClassZ: 8 }).run(
      rig,
    );
    expect(events.map((e) => `${e.action}:${e.label}`)).toEqual([
      'pseudo-class-created:pseudo-1',
      'class-reinforced:pseudo-1',
    ]);
  });

  it('rejects a reference without a positive mean', () => {
    expect(() => new HeuristicAdapter({ reference: { mean: 0, std: 1 } })).toThrow(/mean > 0/);
  });
});
