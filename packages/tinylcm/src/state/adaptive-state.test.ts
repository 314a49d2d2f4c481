import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetectorSnapshot } from '@tinymlops/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BruteForceKnn } from '../adapt/fixtures/brute-force-knn.js';
import { fillKnn, gaussianBlobs } from '../adapt/fixtures/gaussian-blobs.js';
import { QuarantineBuffer } from '../adapt/quarantine-buffer.js';
import { AdaptiveState, type DetectorGroup } from './adaptive-state.js';
import { StateStore } from './state-store.js';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'adaptive-state-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

class FakeDetectors implements DetectorGroup {
  n = 0;
  snapshot(): DetectorSnapshot[] {
    return [{ kind: 'knn-distance', schemaVersion: 1, options: {}, state: { n: this.n } }];
  }
  restore(s: DetectorSnapshot[]): void {
    this.n = Number(s[0]?.state['n']);
  }
}

function parts(): { knn: BruteForceKnn; quarantine: QuarantineBuffer; detectors: FakeDetectors; state: AdaptiveState } {
  const knn = new BruteForceKnn(3);
  const quarantine = new QuarantineBuffer();
  const detectors = new FakeDetectors();
  const store = new StateStore({ dir, logger: { warn: () => undefined } });
  const now = (): Date => new Date('2026-11-26T10:00:00.000Z');
  return {
    knn,
    quarantine,
    detectors,
    state: new AdaptiveState({ store, components: { classifier: knn, quarantine, detectors }, now, modelId: 'm1' }),
  };
}

describe('AdaptiveState', () => {
  it('snapshots every component, never an empty components object', () => {
    const p = parts();
    const blobs = gaussianBlobs(1, ['a', 'b']);
    fillKnn(p.knn, blobs, ['a', 'b'], 5);
    p.quarantine.add({ sampleId: 'smp_00000001', features: blobs.draw('a'), prediction: 'a', confidence: 0.5, at: 1 });
    p.detectors.n = 17;
    const v = p.state.checkpoint('test');
    const doc = new StateStore({ dir }).load(v);
    expect(Object.keys(doc.components).sort()).toEqual(['classifier', 'detectors', 'quarantine']);
    expect(doc.components.detectors?.[0]?.state).toEqual({ n: 17 });
    expect(doc.modelId).toBe('m1');
  });

  it('boots a fresh process onto the latest snapshot with identical predictions', () => {
    const p = parts();
    const blobs = gaussianBlobs(2, ['a', 'b']);
    fillKnn(p.knn, blobs, ['a', 'b'], 10);
    p.detectors.n = 3;
    p.state.checkpoint('boot');
    const probes = Array.from({ length: 20 }, (_, i) => blobs.draw(i % 2 ? 'a' : 'b'));
    const fresh = parts();
    expect(fresh.state.boot()?.stateVersion).toBe(1);
    expect(fresh.state.version).toBe(1);
    expect(probes.map((x) => fresh.knn.predict(x))).toEqual(probes.map((x) => p.knn.predict(x)));
    expect(fresh.detectors.n).toBe(3);
  });

  it('rolls back to exactly the earlier behaviour and records it as a new version', () => {
    const p = parts();
    const blobs = gaussianBlobs(3, ['a', 'b', 'c']);
    fillKnn(p.knn, blobs, ['a', 'b'], 10);
    const before = p.state.checkpoint('before');
    const probes = Array.from({ length: 30 }, (_, i) => blobs.draw(['a', 'b', 'c'][i % 3] ?? 'a'));
    const expected = probes.map((x) => p.knn.predict(x));
    fillKnn(p.knn, blobs, ['c'], 10);
    p.state.checkpoint('after');
    expect(probes.map((x) => p.knn.predict(x))).not.toEqual(expected);
    expect(p.state.rollbackTo(before)).toBe(3);
    expect(probes.map((x) => p.knn.predict(x))).toEqual(expected);
  });

  it('boot returns undefined on a first start and leaves components untouched', () => {
    const p = parts();
    p.knn.add(Float32Array.from([1]), 'a');
    expect(p.state.boot()).toBeUndefined();
    expect(p.knn.classes).toEqual(['a']);
  });
});
