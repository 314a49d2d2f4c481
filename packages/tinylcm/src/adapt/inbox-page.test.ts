import { encodeFloat32, type FeedbackItem } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, type Rig } from './fixtures/adaptation-rig.js';
import { fillKnn, gaussianBlobs, quarantined, type Blobs } from './fixtures/gaussian-blobs.js';
import { applyInbox, type InboxItem } from './inbox-page.js';

let rig: Rig;
let blobs: Blobs;
let cursor = 0;
afterEach(() => rig.dispose());

function setup(): void {
  rig = createRig();
  blobs = gaussianBlobs(8, ['a', 'b', 'c']);
  fillKnn(rig.classifier, blobs, ['a', 'b'], 30);
}

function label(sampleId: string, l: string, features?: Float32Array): Extract<FeedbackItem, { kind: 'label' }> {
  cursor++;
  return {
    feedbackId: `fb_${String(cursor).padStart(8, '0')}`,
    cursor,
    issuedAt: '2026-11-26T11:00:00.000Z',
    kind: 'label',
    decision: 'new-class',
    label: l,
    sampleId,
    episodeId: null,
    source: 'own',
    sourceDeviceId: 'dev_self0001',
    model: null,
    features: features ? encodeFloat32(features) : null,
    validatedAt: '2026-11-26T11:00:00.000Z',
  };
}

describe('applyInbox', () => {
  it('applies only the newest item about a sample; the older one is superseded', () => {
    setup();
    const s = quarantined(blobs, 'c', new Map());
    rig.quarantine.add(s);
    const items: InboxItem[] = [label(s.sampleId, 'bag'), label(s.sampleId, 'shoe')];
    const outcomes = applyInbox(items, rig, rig, false);
    expect(outcomes.map((o) => [o.status, o.reason])).toEqual([
      ['superseded', `item ${cursor} replaced it`],
      ['applied', undefined],
    ]);
    expect(rig.classifier.classes).toEqual(['a', 'b', 'shoe']);
  });

  it('extends a delivery to the pending samples that cluster with it and reports how many joined each label', () => {
    setup();
    const truth = new Map<string, string>();
    const pending = Array.from({ length: 20 }, () => quarantined(blobs, 'c', truth));
    for (const p of pending) rig.quarantine.add(p);
    // Two labels: one of a held sample, one carried from elsewhere (features only).
    const items = [label(pending[0]!.sampleId, 'bag'), label('smp_far00001', 'bag', blobs.draw('c'))];
    const outcomes = applyInbox(items, rig, rig, true);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    // 19 pending after the first label: all but the free cluster's few join bag.
    const joined = 19 - rig.quarantine.size;
    expect(joined).toBeGreaterThanOrEqual(15);
    expect(outcomes.map((o) => o.propagated)).toEqual([joined, joined]);
    expect(rig.quarantine.ledgerOf('bag')).toHaveLength(2 + joined);
  });

  it('rejects reverts and relabels when the device keeps no journal', () => {
    setup();
    cursor++;
    const adaptation = { seq: 1, action: 'pseudo-class-created' as const, stateVersionBefore: 1, stateVersionAfter: 2 };
    const at = '2026-11-26T11:00:00.000Z';
    const item: InboxItem = { feedbackId: 'fb_revert001', cursor, issuedAt: at, kind: 'revert', adaptation };
    expect(applyInbox([item], rig, undefined, false)[0]).toMatchObject({ status: 'rejected' });
  });
});
