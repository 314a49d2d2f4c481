import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaptationGuard, type GuardVerdict } from './adaptation-guard.js';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined, referenceStats, type Blobs } from './fixtures/gaussian-blobs.js';

let rig: Rig;
let blobs: Blobs;
let ref: { mean: number; std: number };
afterEach(() => rig.dispose());

function setup(persisted = false): AdaptationGuard {
  rig = createRig();
  blobs = gaussianBlobs(31, ['a', 'b', 'c']);
  fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
  ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
  const watchFile = persisted ? { watchFile: join(rig.dir, 'guard-watch.json') } : {};
  return new AdaptationGuard({ reference: ref, window: 40, ...watchFile }).attach(rig.runner, rig.quarantine);
}

/** Feeds `n` labelled frames of the given classes (round robin) through the live KNN. */
function feed(guard: AdaptationGuard, classes: string[], n: number): GuardVerdict[] {
  return Array.from({ length: n }, (_, i) => {
    const cls = classes[i % classes.length] ?? 'a';
    const p = rig.classifier.predict(blobs.draw(cls));
    return guard.observe({
      confidence: p.confidence,
      meanDistance: p.meanDistance,
      prediction: p.label ?? '',
      label: cls,
    });
  });
}

/** An adaptation that wrongly files 40 samples of class a under a new class. */
function badAdaptation(): number {
  const truth = new Map<string, string>();
  const samples = Array.from({ length: 40 }, () => quarantined(blobs, 'a', truth));
  for (const s of samples) rig.quarantine.add(s);
  const e = rig.runner.commit(
    {
      action: 'pseudo-class-created',
      label: 'pseudo-1',
      samples: 40,
      reason: 'bad',
      sampleIds: samples.map((s) => s.sampleId),
    },
    () => {
      for (const s of samples) rig.classifier.add(s.features, 'pseudo-1');
      rig.quarantine.markAdapted(
        samples.map((s) => s.sampleId),
        'pseudo-1',
        samples.map((s) => s.sampleId),
      );
    },
  );
  return e.stateVersionBefore;
}

describe('AdaptationGuard', () => {
  it('rolls back an adaptation that hurt old-class accuracy and confidence, as an event', () => {
    const guard = setup();
    feed(guard, ['a', 'b'], 40);
    const before = JSON.stringify(rig.classifier.snapshotState());
    const versionBefore = badAdaptation();
    const verdicts = feed(guard, ['a', 'b'], 40);
    expect(verdicts.slice(0, 39).every((v) => v === 'watching')).toBe(true);
    expect(verdicts[39]).toBe('rolled-back');
    expect(JSON.stringify(rig.classifier.snapshotState())).toBe(before);
    const last = rig.tracker.readSince(1);
    expect(last).toHaveLength(1);
    expect(last[0]).toMatchObject({ seq: 2, action: 'rollback' });
    expect(last[0]?.reason).toMatch(/accuracy fell/);
    expect(rig.store.load(last[0]!.stateVersionAfter).components.classifier).toEqual(
      rig.store.load(versionBefore).components.classifier,
    );
    expect(rig.quarantine.size).toBe(0); // the undone samples are not re-learnt at once
    expect(guard.watching).toBe(false);
  });

  it('keeps an adaptation that helped (a correct new class)', () => {
    const guard = setup();
    feed(guard, ['a', 'b', 'c'], 40);
    rig.runner.commit({ action: 'pseudo-class-created', label: 'pseudo-1', samples: 10, reason: 'good' }, () => {
      for (let i = 0; i < 10; i++) rig.classifier.add(blobs.draw('c'), 'pseudo-1');
    });
    const verdicts = feed(guard, ['a', 'b'], 40);
    expect(verdicts[39]).toBe('kept');
    expect(rig.tracker.lastSeq).toBe(1);
    expect(rig.classifier.classes).toContain('pseudo-1');
  });

  it('undoes a burst of adaptations back to the version before the first', () => {
    const guard = setup();
    feed(guard, ['a', 'b'], 40);
    const before = JSON.stringify(rig.classifier.snapshotState());
    badAdaptation();
    feed(guard, ['a', 'b'], 10);
    badAdaptation();
    const verdicts = feed(guard, ['a', 'b'], 40);
    expect(verdicts[39]).toBe('rolled-back');
    expect(JSON.stringify(rig.classifier.snapshotState())).toBe(before);
  });

  it('never watches server-validated changes, and one arriving mid-watch ends the watch', () => {
    const guard = setup();
    feed(guard, ['a', 'b'], 40);
    rig.runner.commit({ action: 'feedback-applied', label: 'bag', samples: 1, reason: 'server' }, () =>
      rig.classifier.add(blobs.draw('c'), 'bag'),
    );
    expect(guard.watching).toBe(false);
    badAdaptation();
    expect(guard.watching).toBe(true);
    rig.runner.commit({ action: 'feedback-undone', label: 'pseudo-1', samples: 0, reason: 'server' }, () => undefined);
    expect(guard.watching).toBe(false);
    expect(feed(guard, ['a', 'b'], 40).every((v) => v === 'idle')).toBe(true);
  });

  it('keeps an adaptation when there was no baseline to compare with', () => {
    const guard = setup();
    badAdaptation();
    expect(feed(guard, ['a', 'b'], 40)[39]).toBe('kept');
  });

  it('resumes an open watch after a reboot (window restarted) and rolls the bad adaptation back', () => {
    const guard = setup(true);
    const watchFile = join(rig.dir, 'guard-watch.json');
    feed(guard, ['a', 'b'], 40);
    const before = JSON.stringify(rig.classifier.snapshotState());
    const versionBefore = badAdaptation();
    feed(guard, ['a', 'b'], 25); // the device dies mid-watch
    expect(existsSync(watchFile)).toBe(true);
    const firstRig = rig;
    rig = createRig({ dir: firstRig.dir });
    const rebooted = new AdaptationGuard({ reference: ref, window: 40, watchFile }).attach(rig.runner, rig.quarantine);
    expect(rebooted.watchedSince).toBe(versionBefore);
    const verdicts = feed(rebooted, ['a', 'b'], 40);
    expect(verdicts.slice(0, 39).every((v) => v === 'watching')).toBe(true);
    expect(verdicts[39]).toBe('rolled-back');
    expect(JSON.stringify(rig.classifier.snapshotState())).toBe(before);
    expect(existsSync(watchFile)).toBe(false);
  });

  it('boots without a watch from a damaged watch file', () => {
    setup();
    const watchFile = join(rig.dir, 'guard-watch.json');
    writeFileSync(watchFile, '{"since": "seven"');
    expect(new AdaptationGuard({ reference: ref, watchFile }).watching).toBe(false);
  });

  it('rejects a window below 1', () => {
    expect(() => new AdaptationGuard({ reference: { mean: 1, std: 1 }, window: 0 })).toThrow(/window/);
  });
});
