import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined } from './fixtures/gaussian-blobs.js';
import { propagateValidatedLabels } from './label-propagation.js';

let rig: Rig;
afterEach(() => rig.dispose());

describe('propagateValidatedLabels', () => {
  it('extends a validated label to the pending samples the KNN now gives it, and to nothing else', () => {
    rig = createRig();
    const blobs = gaussianBlobs(9, ['a', 'b', 'c', 'd']);
    fillKnn(rig.classifier, blobs, ['a', 'b'], 20);
    const truth = new Map<string, string>();
    for (let i = 0; i < 20; i++) rig.quarantine.add(quarantined(blobs, 'c', truth));
    for (let i = 0; i < 10; i++) rig.quarantine.add(quarantined(blobs, 'd', truth));
    for (let i = 0; i < 5; i++) rig.classifier.add(blobs.draw('c'), 'c'); // as if the server labelled five
    const events = propagateValidatedLabels(rig, new Set(['c']), 0.8);
    expect(events.map((e) => [e.action, e.label, e.samples])).toEqual([['class-reinforced', 'c', 20]]);
    expect(rig.quarantine.pending().map((s) => truth.get(s.sampleId))).toEqual(Array(10).fill('d'));
    const first = [...truth].find(([, c]) => c === 'c')?.[0] ?? '';
    expect(rig.quarantine.adapted(first)?.label).toBe('c'); // in the ledger: the server can still undo it
    expect(propagateValidatedLabels(rig, new Set(['c']), 0.8)).toEqual([]);
  });
});
