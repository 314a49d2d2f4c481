import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { decodeFloat32, encodeFloat32, type FeedbackItem } from '@tinymlops/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import type { InboxItem } from '../adapt/inbox-page.js';
import { blobDevice } from './fixtures/blob-device.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function device(mode: 'server-assisted' | 'autonomous', dataDir = mkdtempSync(path.join(tmpdir(), 'loop-'))) {
  dirs.push(dataDir);
  return blobDevice(mode, dataDir);
}

let cursor = 0;
/** A v2 label; with `features` it carries them, as the server sends them. */
function label(sampleId: string, l: string, features?: Float32Array): Extract<FeedbackItem, { kind: 'label' }> {
  cursor++;
  const at = '2026-11-26T13:00:00.000Z';
  const feats = features ? encodeFloat32(features) : null;
  const model = { modelId: 'blobs', version: '1.0.0' };
  const source = { source: 'own' as const, sourceDeviceId: 'dev_self0001' };
  const item = { feedbackId: `fb_${String(cursor).padStart(8, '0')}`, cursor, issuedAt: at, validatedAt: at };
  const what = { kind: 'label' as const, decision: 'label' as const, label: l, sampleId, episodeId: null };
  return { ...item, ...what, ...source, model, features: feats };
}

describe('DeviceAdaptation and the learning loop', () => {
  it('keeps its pending drift samples across a restart, so labels validated later still propagate', async () => {
    const d = device('server-assisted');
    await d.feed('a', 40);
    await d.feed('new', 40);
    const pending = d.adaptation.quarantine.pending().map((s) => s.sampleId);
    expect(pending.length).toBeGreaterThanOrEqual(20);
    expect(d.adaptation.stateVersion).toBe(0); // server-assisted wrote no snapshot: only the journal has them
    const rebooted = device('server-assisted', d.dataDir);
    expect(rebooted.adaptation.quarantine.pending().map((s) => s.sampleId)).toEqual(pending);
    const [first, second] = pending;
    const outcomes = await rebooted.adaptation.applyInbox([label(first!, 'new'), label(second!, 'new')]);
    expect(outcomes.map((o) => o.status)).toEqual(['applied', 'applied']);
    expect(outcomes[0]?.propagated).toBeGreaterThanOrEqual(pending.length / 2);
    expect(rebooted.predictions().filter((p, i) => i % 3 === 2 && p.label === 'new')).toHaveLength(10);
  });

  it('applies labels from their features when it no longer holds the samples, and reports them with features', async () => {
    const d = device('server-assisted');
    await d.feed('a', 30);
    await d.feed('new', 25);
    const held = d.adaptation.quarantine.pending().slice(0, 8);
    d.adaptation.quarantine.discard(d.adaptation.quarantine.pending().map((s) => s.sampleId)); // evicted, say
    const items: InboxItem[] = held.map((s) => label(s.sampleId, 'new', s.features));
    const outcomes = await d.adaptation.applyInbox(items);
    expect(outcomes.map((o) => o.status)).toEqual(Array(8).fill('applied'));
    expect(d.predictions().filter((p, i) => i % 3 === 2 && p.label === 'new').length).toBeGreaterThanOrEqual(9);
    const report = d.uploads.at(-1);
    expect(report?.adaptationSamples?.map((s) => s.sampleId)).toEqual(held.map((s) => s.sampleId));
    expect(decodeFloat32(report!.adaptationSamples![0]!.features)).toEqual(held[0]?.features);
  });

  it('reverts its pseudo-class when asked: the classifier returns to the bytes before it', async () => {
    const d = device('autonomous');
    await d.feed('a', 40);
    const before = d.bytes();
    await d.feed('new', 40);
    const events = d.adaptation.tracker.readSince(0);
    const created = events.find((e) => e.action === 'pseudo-class-created');
    expect(created).toBeDefined();
    expect(events.at(-1)?.seq).toBe(created?.seq); // the latest change: an exact rollback applies
    const { seq, action, stateVersionBefore, stateVersionAfter } = created!;
    const adaptation = { seq, action, stateVersionBefore, stateVersionAfter };
    cursor++;
    const at = '2026-11-26T13:00:00.000Z';
    const revert: InboxItem = { feedbackId: 'fb_revert01', cursor, issuedAt: at, kind: 'revert', adaptation };
    const [o] = await d.adaptation.applyInbox([revert]);
    expect(o).toMatchObject({ status: 'applied', reason: `rolled back to state version ${stateVersionBefore}` });
    expect(d.bytes()).toBe(before);
    expect(d.uploads.at(-1)?.adaptation?.at(-1)?.action).toBe('adaptation-reverted');
  });
});
