import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidationFeedback } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { AdaptationController } from './adaptation-controller.js';
import { AdaptationGuard } from './adaptation-guard.js';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, referenceStats, type Blobs } from './fixtures/gaussian-blobs.js';
import { HeuristicAdapter, type HeuristicAdapterOptions } from './heuristic-adapter.js';
import { modePolicy } from './operational-mode.js';

let rig: Rig;
let blobs: Blobs;
let ref: { mean: number; std: number };
let zFlag = 3;
afterEach(() => rig?.dispose());

type Mode = 'monitoring-only' | 'autonomous' | 'server-assisted';

function controller(mode: Mode, heuristic: Partial<HeuristicAdapterOptions> = {}, flagZ = 3): AdaptationController {
  zFlag = flagZ;
  rig = createRig();
  blobs = gaussianBlobs(41, ['a', 'b', 'c']);
  fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
  ref = referenceStats(rig.classifier, blobs, ['a', 'b']);
  return new AdaptationController({
    mode,
    classifier: rig.classifier,
    quarantine: rig.quarantine,
    runner: rig.runner,
    heuristic: new HeuristicAdapter({ reference: ref, seed: 9, ...heuristic }),
    guard: new AdaptationGuard({ reference: ref, window: 30 }),
  });
}

/** 60 in-distribution frames, then 240 where the held-out class c makes every third frame. */
function drift(ctl: AdaptationController): { truth: Map<string, string>; events: string[]; oldOnline: number } {
  const truth = new Map<string, string>();
  const events: string[] = [];
  let [oldSeen, oldRight] = [0, 0];
  for (let i = 0; i < 300; i++) {
    const cls = i >= 60 && i % 3 === 0 ? 'c' : i % 2 ? 'a' : 'b';
    const features = blobs.draw(cls);
    const prediction = rig.classifier.predict(features);
    const sampleId = `smp_${String(i).padStart(8, '0')}`;
    truth.set(sampleId, cls);
    const driftFlagged = prediction.meanDistance > ref.mean + zFlag * ref.std; // stand-in for the KNN-distance monitor
    const r = ctl.observe({ sampleId, features, prediction, driftFlagged, at: i, label: cls });
    events.push(...r.events.map((e) => `${e.action}:${e.label ?? ''}`));
    if (i >= 60 && cls !== 'c') [oldSeen, oldRight] = [oldSeen + 1, oldRight + (prediction.label === cls ? 1 : 0)];
  }
  return { truth, events, oldOnline: oldRight / oldSeen };
}

function accuracy(cls: string, accept: (label: string) => boolean, n = 60): number {
  let ok = 0;
  for (let i = 0; i < n; i++) if (accept(rig.classifier.predict(blobs.draw(cls)).label ?? '')) ok++;
  return ok / n;
}

const feedback = (sampleIds: string[], label: string): ValidationFeedback[] =>
  sampleIds.map((sampleId, i) => ({
    feedbackId: `fb_${String(i + 1).padStart(8, '0')}`,
    cursor: i + 1,
    sampleId,
    episodeId: 'ep_00000001',
    decision: 'new-class',
    label,
    validatedAt: '2026-11-26T10:05:00.000Z',
  }));

describe('AdaptationController and the operational modes', () => {
  it('monitoring-only: a drifting run and feedback leave the classifier state bytes identical', () => {
    const ctl = controller('monitoring-only');
    const before = JSON.stringify(rig.classifier.snapshotState());
    const { truth } = drift(ctl);
    const outcomes = ctl.applyFeedback(feedback([...truth.keys()].slice(60, 70), 'bag'));
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('rejected'));
    expect(outcomes[0]?.reason).toMatch(/^monitoring-only never changes the model/);
    expect(JSON.stringify(rig.classifier.snapshotState())).toBe(before);
    expect(rig.quarantine.size).toBe(0);
    expect(rig.tracker.lastSeq).toBe(0);
    expect(readdirSync(join(rig.dir, 'state'))).toEqual([]);
  });

  it('autonomous: learns the held-out class as a pure pseudo-class without hurting the old classes', () => {
    const ctl = controller('autonomous');
    const oldBefore = (accuracy('a', (l) => l === 'a') + accuracy('b', (l) => l === 'b')) / 2;
    const { truth, events, oldOnline } = drift(ctl);
    expect(events).toContain('pseudo-class-created:pseudo-1');
    expect(oldBefore - oldOnline).toBeLessThanOrEqual(0.05); // frame by frame during the run, too
    expect(rig.tracker.readSince(0).filter((e) => e.action === 'rollback')).toEqual([]);
    const members = [...truth.keys()].filter((id) => rig.quarantine.adapted(id)?.label === 'pseudo-1');
    expect(members.filter((id) => truth.get(id) === 'c').length / members.length).toBeGreaterThanOrEqual(0.8);
    expect(accuracy('c', (l) => l === 'pseudo-1')).toBeGreaterThanOrEqual(0.85);
    const oldAfter = (accuracy('a', (l) => l === 'a') + accuracy('b', (l) => l === 'b')) / 2;
    expect(oldBefore - oldAfter).toBeLessThanOrEqual(0.05);
  });

  it('autonomous: the guard rolls back a pseudo-class that took over a shifted known class', () => {
    // Label-free, a known class under covariate shift looks like a new class; with labels known the
    // guard sees the accuracy on those frames collapse and undoes the pseudo-class.
    const ctl = controller('autonomous');
    const shift = Float32Array.from(blobs.centres['a'] ?? [], (_, i) => (i % 2 ? 1 : -1) * ((2 * ref.mean) / 4));
    for (let i = 0; i < 300; i++) {
      const cls = i % 2 ? 'a' : 'b';
      const features = blobs.draw(cls);
      if (i >= 60 && cls === 'a') features.forEach((v, j) => (features[j] = v + (shift[j] ?? 0)));
      const prediction = rig.classifier.predict(features);
      const driftFlagged = prediction.meanDistance > ref.mean + 3 * ref.std;
      ctl.observe({
        sampleId: `smp_${String(i).padStart(8, '0')}`,
        features,
        prediction,
        driftFlagged,
        at: i,
        label: cls,
      });
    }
    const events = rig.tracker.readSince(0);
    expect(events.map((e) => e.action).slice(0, 2)).toEqual(['pseudo-class-created', 'rollback']);
    expect(events[1]?.reason).toMatch(/accuracy fell/);
    expect(events[1]?.stateVersionAfter).toBeGreaterThan(events[0]?.stateVersionAfter ?? Infinity);
  });

  it('server-assisted: never pseudo-labels, and 10 validated labels teach the new class', () => {
    const ctl = controller('server-assisted');
    const { truth, events } = drift(ctl);
    expect(events).toEqual([]);
    expect(rig.classifier.classes).toEqual(['a', 'b']);
    const cIds = rig.quarantine
      .pending()
      .filter((s) => truth.get(s.sampleId) === 'c')
      .map((s) => s.sampleId);
    expect(cIds.length).toBeGreaterThanOrEqual(10);
    const outcomes = ctl.applyFeedback(feedback(cIds.slice(0, 10), 'bag'));
    expect(outcomes.map((o) => o.status)).toEqual(Array(10).fill('applied'));
    expect(accuracy('c', (l) => l === 'bag')).toBeGreaterThanOrEqual(0.85);
    expect(accuracy('a', (l) => l === 'a')).toBe(1);
  });

  it('never throws from observe: an adaptation failure is reported and inference goes on', () => {
    rig = createRig();
    const errors: unknown[] = [];
    const failing = {
      run: () => {
        throw new Error('ENOSPC');
      },
    } as unknown as HeuristicAdapter;
    const ctl = new AdaptationController({
      mode: 'autonomous',
      classifier: rig.classifier,
      quarantine: rig.quarantine,
      runner: rig.runner,
      heuristic: failing,
      guard: new AdaptationGuard({ reference: { mean: 1, std: 1 } }),
      heuristicEvery: 1,
      onError: (e) => errors.push(e),
    });
    const prediction = { label: 'a', confidence: 0.2, meanDistance: 9 };
    const r = ctl.observe({
      sampleId: 'smp_00000001',
      features: Float32Array.from([1]),
      prediction,
      driftFlagged: true,
      at: 1,
    });
    expect(r).toEqual({ quarantined: true, events: [], guard: 'idle' });
    expect(errors).toEqual([new Error('ENOSPC')]);
  });

  it('validates the mode and what it needs', () => {
    expect(() => modePolicy('adaptive')).toThrow(/monitoring-only, autonomous, server-assisted/);
    rig = createRig();
    expect(
      () =>
        new AdaptationController({
          mode: 'autonomous',
          classifier: rig.classifier,
          quarantine: rig.quarantine,
          runner: rig.runner,
        }),
    ).toThrow(/needs a heuristic adapter and a guard/);
    expect(modePolicy('monitoring-only')).toMatchObject({
      quarantinesDrift: false,
      runsHeuristic: false,
      appliesFeedback: false,
    });
  });
});
