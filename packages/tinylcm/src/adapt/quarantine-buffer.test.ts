import { describe, expect, it } from 'vitest';
import { QuarantineBuffer, type QuarantinedSample } from './quarantine-buffer.js';

function sample(i: number): QuarantinedSample {
  return {
    sampleId: `smp_${String(i).padStart(8, '0')}`,
    features: Float32Array.from([i, i + 0.5, -i]),
    prediction: 'cat',
    confidence: 0.3,
    at: 1_000 + i,
  };
}

describe('QuarantineBuffer', () => {
  it('evicts the oldest pending sample when full', () => {
    const q = new QuarantineBuffer({ capacity: 3 });
    for (let i = 1; i <= 3; i++) expect(q.add(sample(i))).toBeUndefined();
    expect(q.add(sample(4))?.sampleId).toBe('smp_00000001');
    expect(q.pending().map((s) => s.at)).toEqual([1002, 1003, 1004]);
  });

  it('drops pending samples older than maxAgeMs relative to the newest sample', () => {
    const q = new QuarantineBuffer({ maxAgeMs: 2 });
    for (let i = 1; i <= 3; i++) q.add(sample(i)); // at 1001..1003
    q.add(sample(6)); // at 1006: 1001..1003 are more than 2 ms older
    expect(q.pending().map((s) => s.at)).toEqual([1006]);
  });

  it('ignores a sampleId it already holds, pending or adapted', () => {
    const q = new QuarantineBuffer();
    q.add(sample(1));
    q.add(sample(2));
    q.markAdapted(['smp_00000002'], 'pseudo-1', []);
    q.add(sample(1));
    q.add(sample(2));
    expect(q.size).toBe(1);
  });

  it('moves adapted samples out of the pending list into groups that can be undone', () => {
    const q = new QuarantineBuffer();
    for (let i = 1; i <= 4; i++) q.add(sample(i));
    const g1 = q.markAdapted(['smp_00000001', 'smp_00000002'], 'pseudo-1', ['smp_00000001']);
    const g2 = q.markAdapted(['smp_00000003'], 'cat', ['smp_00000003']);
    expect(g2).toBe(g1 + 1);
    expect(q.pending().map((s) => s.sampleId)).toEqual(['smp_00000004']);
    expect(q.adapted('smp_00000002')).toMatchObject({ label: 'pseudo-1', group: g1, representative: false });
    expect(q.undoGroup(g1).map((s) => s.sampleId)).toEqual(['smp_00000001']);
    expect(q.undoGroup(g1)).toEqual([]); // undoing twice removes nothing twice
    expect(q.adapted('smp_00000002')?.undone).toBe(true);
  });

  it('forgets the oldest ledger entries beyond ledgerCapacity', () => {
    const q = new QuarantineBuffer({ ledgerCapacity: 2 });
    for (let i = 1; i <= 3; i++) q.add(sample(i));
    q.markAdapted(['smp_00000001', 'smp_00000002', 'smp_00000003'], 'pseudo-1', []);
    expect(q.adapted('smp_00000001')).toBeUndefined();
    expect(q.adapted('smp_00000003')).toBeDefined();
  });

  it('discards pending samples by id', () => {
    const q = new QuarantineBuffer();
    for (let i = 1; i <= 3; i++) q.add(sample(i));
    expect(q.discard(['smp_00000002', 'smp_99999999'])).toBe(1);
    expect(q.size).toBe(2);
  });

  it('round-trips its state through JSON exactly, float32 features included', () => {
    const q = new QuarantineBuffer({ capacity: 5 });
    for (let i = 1; i <= 4; i++) q.add({ ...sample(i), ...(i === 2 ? { imageRef: 'img/2.jpg' } : {}) });
    q.markAdapted(['smp_00000001'], 'pseudo-1', ['smp_00000001']);
    const json = JSON.stringify(q.snapshotState());
    const r = new QuarantineBuffer({ capacity: 5 });
    r.restoreState(JSON.parse(json) as Record<string, unknown>);
    expect(JSON.stringify(r.snapshotState())).toBe(json);
    expect(r.get('smp_00000002')?.features).toEqual(Float32Array.from([2, 2.5, -2]));
    expect(r.get('smp_00000002')?.imageRef).toBe('img/2.jpg');
    expect(r.markAdapted(['smp_00000002'], 'x', [])).toBe(2); // group counter survives
  });

  it('rejects invalid options and foreign snapshots', () => {
    expect(() => new QuarantineBuffer({ capacity: 0 })).toThrow(/capacity/);
    expect(() => new QuarantineBuffer().restoreState({ kind: 'knn' })).toThrow(/quarantine-buffer/);
  });
});
