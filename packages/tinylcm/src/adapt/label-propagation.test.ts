import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined } from './fixtures/gaussian-blobs.js';
import { propagateValidatedLabels } from './label-propagation.js';

let rig: Rig;
afterEach(() => rig.dispose());

describe('propagateValidatedLabels', () => {
  it('extends a validated label to the pending samples that cluster with it, and leaves the rest pending', () => {
    rig = createRig();
    const blobs = gaussianBlobs(9, ['a', 'b', 'c', 'd']);
    fillKnn(rig.classifier, blobs, ['a', 'b'], 20);
    const truth = new Map<string, string>();
    for (let i = 0; i < 20; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
    for (let i = 0; i < 10; i++) rig.quarantine.add(quarantined(blobs, 'd', truth));
    const validated = Array.from({ length: 3 }, () => blobs.draw('c')); // as if the server labelled three
    const events = propagateValidatedLabels(rig, new Map([['c', validated]]));
    expect(events.map((e) => [e.action, e.label, e.samples])).toEqual([['class-reinforced', 'c', 20]]);
    expect(rig.quarantine.pending().map((s) => truth.get(s.sampleId))).toEqual(Array(10).fill('d'));
    const first = [...truth].find(([, c]) => c === 'c')?.[0] ?? '';
    expect(rig.quarantine.adapted(first)?.label).toBe('c'); // in the ledger: the server can still undo it
    expect(rig.classifier.predict(blobs.draw('c')).label).toBe('c');
    expect(propagateValidatedLabels(rig, new Map([['c', validated]]))).toEqual([]); // d never joins c
  });

  it('splits an episode of two new classes by their seeds', () => {
    rig = createRig();
    const blobs = gaussianBlobs(4, ['a', 'c', 'd']);
    fillKnn(rig.classifier, blobs, ['a'], 20);
    const truth = new Map<string, string>();
    for (let i = 0; i < 30; i++) rig.quarantine.add(quarantined(blobs, i % 3 ? 'c' : 'd', truth));
    const seeds = new Map([
      ['c', [blobs.draw('c'), blobs.draw('c')]],
      ['d', [blobs.draw('d')]],
    ]);
    const events = propagateValidatedLabels(rig, seeds);
    const joined = Object.fromEntries(events.map((e) => [e.label, e.samples]));
    // The free cluster starts at the point farthest from both seeds, which then stays pending.
    expect(joined['c'] + joined['d']).toBeGreaterThanOrEqual(29);
    for (const [id, cls] of truth) expect(rig.quarantine.adapted(id)?.label ?? cls).toBe(cls);
  });

  it('does nothing without seeds or without pending samples', () => {
    rig = createRig();
    const blobs = gaussianBlobs(5, ['c']);
    expect(propagateValidatedLabels(rig, new Map([['c', [blobs.draw('c')]]]))).toEqual([]);
    rig.quarantine.add(quarantined(blobs, 'c', new Map()));
    expect(propagateValidatedLabels(rig, new Map([['c', []]]))).toEqual([]);
    expect(rig.quarantine.pending()).toHaveLength(1);
  });
});
