import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';

let rig: Rig;
afterEach(() => rig.dispose());

describe('AdaptationRunner', () => {
  it('snapshots before and after, and tells listeners', () => {
    rig = createRig();
    rig.classifier.add(Float32Array.from([0, 0]), 'a');
    const seen: number[] = [];
    rig.runner.onCommitted((e) => seen.push(e.seq));
    const e = rig.runner.commit({ action: 'feedback-applied', label: 'b', samples: 1, reason: 'r' }, () =>
      rig.classifier.add(Float32Array.from([1, 1]), 'b'),
    );
    expect(seen).toEqual([1]);
    expect(rig.store.load(e.stateVersionBefore).components.classifier?.['labels']).toEqual(['a']);
    expect(rig.store.load(e.stateVersionAfter).components.classifier?.['labels']).toEqual(['a', 'b']);
  });

  it('restores the before-state and records nothing when the change throws halfway', () => {
    rig = createRig();
    rig.classifier.add(Float32Array.from([0, 0]), 'a');
    expect(() =>
      rig.runner.commit({ action: 'class-reinforced', label: 'a', samples: 2, reason: 'r' }, () => {
        rig.classifier.add(Float32Array.from([1, 1]), 'a');
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(rig.classifier.sampleLabels).toEqual(['a']);
    expect(rig.tracker.lastSeq).toBe(0);
  });

  it('reverts the change when the after-snapshot cannot be written', () => {
    rig = createRig();
    rig.classifier.add(Float32Array.from([0]), 'a');
    const original = rig.classifier.snapshotState.bind(rig.classifier);
    let calls = 0;
    rig.classifier.snapshotState = () => {
      if (++calls === 2) throw new Error('ENOSPC: no space left on device');
      return original();
    };
    expect(() =>
      rig.runner.commit({ action: 'class-reinforced', label: 'a', samples: 1, reason: 'r' }, () =>
        rig.classifier.add(Float32Array.from([1]), 'a'),
      ),
    ).toThrow(/ENOSPC/);
    expect(rig.classifier.sampleLabels).toEqual(['a']);
    expect(rig.tracker.lastSeq).toBe(0);
    expect(rig.state.version).toBe(1);
  });

  it('in a batch, chains each change from the previous one without re-writing the same state', () => {
    rig = createRig();
    const [e1, e2] = rig.runner.batch(() =>
      ['x', 'y'].map((label) =>
        rig.runner.commit({ action: 'feedback-applied', label, samples: 1, reason: 'r' }, () =>
          rig.classifier.add(Float32Array.from([1]), label),
        ),
      ),
    );
    expect(e2?.stateVersionBefore).toBe(e1?.stateVersionAfter);
    expect(rig.store.list()).toHaveLength(3);
    const e3 = rig.runner.commit({ action: 'feedback-applied', label: 'z', samples: 1, reason: 'r' }, () => undefined);
    expect(e3.stateVersionBefore).toBe(4); // outside a batch, frames may have changed detectors: snapshot again
  });

  it('records a rollback with the versions it moved between', () => {
    rig = createRig();
    const e = rig.runner.commit({ action: 'feedback-applied', label: 'b', samples: 1, reason: 'r' }, () =>
      rig.classifier.add(Float32Array.from([1]), 'b'),
    );
    const r = rig.runner.rollback(e.stateVersionBefore, 'guard');
    expect(r).toMatchObject({ seq: 2, action: 'rollback', stateVersionBefore: e.stateVersionAfter });
    expect(r.stateVersionAfter).toBeGreaterThan(e.stateVersionAfter);
    expect(rig.classifier.sampleLabels).toEqual([]);
  });
});
